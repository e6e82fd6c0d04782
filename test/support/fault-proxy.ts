import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error as an AWS REST-JSON API (Bedrock) answers it: status, `x-amzn-ErrorType` and `{"message": ...}`. */
export interface ApiFault {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** Bedrock's throttling answer. */
export const THROTTLING: ApiFault = { status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' };

/**
 * An HTTP proxy in front of an AWS-API-compatible server that answers the first `count` requests with `fault` and
 * forwards the rest. For faults moto cannot produce (throttling; errors in Bedrock's JSON shape, where moto answers IAM
 * denials in XML): the fault arrives on the wire, so the handler's real SDK client and its retry strategy are what is tested.
 */
export class FaultProxy {
  /** Arrival time (ms) of every request, answered with the fault or forwarded. */
  public readonly arrivals: number[] = [];
  private server?: Server;
  private forwardFirst = 0;
  private hang = false;
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly target: string, private fault: ApiFault, private count: number) {}

  /**
   * From now on: forward the next `forward` requests, then answer the `count` after them with `fault` (an outage from a
   * chosen request on: `count` Infinity), or, with `fault` `'hang'`, hold them unanswered (a server that accepted the
   * connection and never replies).
   */
  public failAfter(forward: number, count: number, fault: ApiFault | 'hang' = this.fault): void {
    this.forwardFirst = forward;
    this.count = count;
    this.hang = fault === 'hang';
    if (fault !== 'hang') this.fault = fault;
  }

  public async start(): Promise<void> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      this.arrivals.push(Date.now());
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.forwardFirst > 0) {
          this.forwardFirst--;
        } else if (this.count > 0 && this.hang) {
          this.count--;
          this.held.add(res);
          return;
        } else if (this.count > 0) {
          this.count--;
          res.writeHead(this.fault.status, { 'content-type': 'application/json', 'x-amzn-ErrorType': this.fault.errorType })
            .end(JSON.stringify({ message: this.fault.message }));
          return;
        }
        const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
