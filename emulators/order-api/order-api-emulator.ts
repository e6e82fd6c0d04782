import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FIXTURE_ORDERS, type FixtureOrder } from './order-fixtures';
import { sendJson } from '../http/http-body';

/*
 * A stand-in for the company's order API, which the support-chat order tool calls: plain HTTP/1.1 on 127.0.0.1 (no TLS:
 * the deployed tool reaches the real API over HTTPS through PrivateLink, ADR 22; TLS is not what this tests).
 *
 * - `GET /customers/{customerId}/orders?limit=n` → 200 `{"orders": [...]}`, the customer's orders, newest first;
 * - `GET /customers/{customerId}/orders/{orderId}` → 200 `{"order": {...}}`, or 404 `{"message"}` when that customer has
 *   no such order;
 * - every request needs `Authorization: Bearer <token>` (401 otherwise), the token the emulator was started with.
 *
 * Modes, for the tool's faults and its defence in depth: `buggy` answers as a broken API might (a list with another
 * customer's order mixed in; an order by id whatever its owner), `hang` never answers, `error` answers 500, `malformed`
 * answers 200 with a body that is not JSON. It is the company's API as the tool's contract describes it
 * (`workloads/support-chat/orders/handlers/lib/order-tool.ts`), not a product of AWS.
 */

/** How the emulator answers. */
export type OrderApiMode = 'normal' | 'buggy' | 'hang' | 'error' | 'malformed';

/** One request the emulator received. */
export interface OrderApiRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  /** The status it answered (undefined while hanging). */
  status?: number;
}

/** Properties of `OrderApiEmulator`. */
export interface OrderApiEmulatorProps {
  /** The bearer token it accepts. */
  readonly token: string;
  /** @default FIXTURE_ORDERS */
  readonly orders?: readonly FixtureOrder[];
  /** @default 'normal' */
  readonly mode?: OrderApiMode;
}

/** The order API on a loopback port. */
export class OrderApiEmulator {
  /** Every request, in arrival order. */
  public readonly requests: OrderApiRequest[] = [];
  public mode: OrderApiMode;
  /** The accepted token (change it to emulate a rotation). */
  public token: string;
  private readonly orders: readonly FixtureOrder[];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(props: OrderApiEmulatorProps) {
    this.token = props.token;
    this.orders = props.orders ?? FIXTURE_ORDERS;
    this.mode = props.mode ?? 'normal';
  }

  /** Starts listening; resolves with `http://127.0.0.1:<port>`. */
  public async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return this.endpoint;
  }

  public get endpoint(): string {
    if (!this.server) throw new Error('the order API emulator is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops listening and drops open connections (a hanging request too). */
  public async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://order-api');
    const record: OrderApiRequest = { method: req.method ?? '', path: `${url.pathname}${url.search}`, authorization: req.headers.authorization };
    this.requests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      sendJson(res, status, body);
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return answer(401, { message: 'Unauthorized' });
    if (this.mode === 'hang') return;
    if (this.mode === 'error') return answer(500, { message: 'Internal error' });
    if (this.mode === 'malformed') {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"orders": [{"orderId": "ORD-1');
      return;
    }
    const match = /^\/customers\/([^/]+)\/orders(?:\/([^/]+))?$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return answer(404, { message: 'No such route' });
    const customerId = decodeURIComponent(match[1]);
    const buggy = this.mode === 'buggy';
    if (match[2] !== undefined) {
      const orderId = decodeURIComponent(match[2]).toUpperCase();
      const order = this.orders.find((o) => o.orderId === orderId && (buggy || o.customerId === customerId));
      return order ? answer(200, { order }) : answer(404, { message: `Order ${orderId} not found` });
    }
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 10) || 10, 1), 50);
    const own = this.orders.filter((o) => o.customerId === customerId).slice(0, limit);
    // The bug: another customer's newest order slips into the list (a broken join or a mixed-up cache).
    const stranger = buggy ? this.orders.find((o) => o.customerId !== customerId) : undefined;
    return answer(200, { orders: stranger ? [stranger, ...own] : own });
  }
}

export { ALICE_SUB, BOB_SUB, FIXTURE_ORDERS, type FixtureOrder } from './order-fixtures';
