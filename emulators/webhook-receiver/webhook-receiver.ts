import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from '../http/http-body';

/*
 * A ticketing system's inbound webhook on a loopback port: `POST /tickets` with a JSON body and an API key header opens a
 * ticket and answers `201 {"ticketId": "T-<n>"}`; the same `Idempotency-Key` again answers the first ticket (`200`), as
 * ticketing systems that deduplicate on such a key do. A wrong or missing key is `401`, a body that is not a JSON object
 * `400`. `failNext(n)` answers the next n requests with `500` (or hangs them with `hangNext`), for the retry and
 * dead-letter tests. Plain HTTP: TLS, rate limits and any real ticketing product's schema are not reproduced.
 */

/** One request the receiver took. */
export interface ReceivedWebhook {
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /** The status it answered. */
  readonly status: number;
}

/** Options of the receiver. */
export interface WebhookReceiverOptions {
  /** The API key the requests must carry. */
  readonly apiKey: string;
  /** The header that carries it. @default 'x-api-key' */
  readonly apiKeyHeader?: string;
  /** The header that carries the idempotency key. @default 'idempotency-key' */
  readonly idempotencyHeader?: string;
}

export class WebhookReceiver {
  /** Every request, in arrival order. */
  public readonly received: ReceivedWebhook[] = [];
  /** Tickets opened, by idempotency key (or by their own id when a request had none). */
  public readonly tickets = new Map<string, { readonly ticketId: string; readonly body: unknown }>();
  /** `http://127.0.0.1:<port>/tickets`, once started. */
  public url = '';
  private server?: Server;
  private failures = 0;
  private hangs = 0;

  constructor(private readonly options: WebhookReceiverOptions) {}

  public async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tickets`;
  }

  /** Answers the next `count` requests with 500. */
  public failNext(count: number): void {
    this.failures = count;
  }

  /** Never answers the next `count` requests (the caller's timeout ends them). */
  public hangNext(count: number): void {
    this.hangs = count;
  }

  public async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const answer = (status: number, body: unknown, parsed?: unknown) => {
      this.received.push({ headers: request.headers, body: parsed, status });
      sendJson(response, status, body);
    };
    if (request.method !== 'POST' || request.url !== '/tickets') return answer(404, { message: 'not found' });
    if (this.hangs > 0) {
      this.hangs--;
      this.received.push({ headers: request.headers, body: undefined, status: 0 });
      return;
    }
    if (request.headers[this.options.apiKeyHeader ?? 'x-api-key'] !== this.options.apiKey) return answer(401, { message: 'unauthorized' });
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return answer(400, { message: 'the body must be a JSON object' });
    if (this.failures > 0) {
      this.failures--;
      return answer(500, { message: 'failure injected' }, body);
    }
    const key = request.headers[this.options.idempotencyHeader ?? 'idempotency-key'];
    const existing = typeof key === 'string' ? this.tickets.get(key) : undefined;
    if (existing) return answer(200, { ticketId: existing.ticketId }, body);
    const ticketId = `T-${this.tickets.size + 1}`;
    this.tickets.set(typeof key === 'string' ? key : ticketId, { ticketId, body });
    return answer(201, { ticketId }, body);
  }
}
