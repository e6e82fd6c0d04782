/// <reference lib="dom" />
import { type ClientMessage, isSubprotocolToken, readServerMessage, type GatewayNotice, type ServerFrame, SUBPROTOCOL } from './widget-protocol';

/** Where the connection is. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'signed-out' | 'closed';

/** Options of `ChatConnection`. */
export interface ChatConnectionOptions {
  /** The chat's WebSocket URL (`wss://…/live`), with no token in it. */
  readonly url: string;
  /** A current id token, asked for before every connection (a reconnect after `token_expired` gets a fresh one). */
  readonly getToken: () => Promise<string>;
  /** Each frame or API Gateway notice received. */
  readonly onMessage: (message: ServerFrame | GatewayNotice) => void;
  /** Each change of state; `resumed` when a connection opens after a lost one. */
  readonly onState: (state: ConnectionState, resumed: boolean) => void;
  /**
   * The reconnect back-off: the first delay, doubled on each failed attempt up to `maxMs`, each delay drawn between half
   * and all of it (jitter, so a gateway restart does not bring every widget back at once).
   *
   * @default { initialMs: 500, maxMs: 15_000 }
   */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/**
 * The widget's WebSocket: the token travels as the second offered subprotocol (`Sec-WebSocket-Protocol: support-chat.v1,
 * <token>`), never in the URL; a lost connection is opened again after a jittered exponential back-off until `close`.
 */
export class ChatConnection {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private stopped = false;
  private everOpened = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ChatConnectionOptions) {}

  /** Opens the connection (once; later calls do nothing while it is open or opening). */
  public start(): void {
    if (this.socket || this.timer) return;
    this.stopped = false;
    void this.open();
  }

  /** Whether a message can be sent now. */
  public get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a message; false when the connection is not open (the caller keeps it to resume). */
  public send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Closes the connection and stops reconnecting. */
  public close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000);
    this.options.onState('closed', false);
  }

  private async open(): Promise<void> {
    this.timer = undefined;
    this.options.onState(this.everOpened ? 'reconnecting' : 'connecting', false);
    let token: string;
    try {
      token = await this.options.getToken();
    } catch {
      this.options.onState('signed-out', false);
      return;
    }
    if (this.stopped) return;
    if (!isSubprotocolToken(token)) {
      // Never fall back to the URL: a token that is not a subprotocol token is not a token this API issues.
      this.options.onState('signed-out', false);
      return;
    }
    const socket = new WebSocket(this.options.url, [SUBPROTOCOL, token]);
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (socket.protocol !== SUBPROTOCOL) {
        socket.close(1002);
        return;
      }
      const resumed = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.options.onState('open', resumed);
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      const message = readServerMessage(event.data);
      if (message) this.options.onMessage(message);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped) return;
      this.options.onState('reconnecting', false);
      this.timer = setTimeout(() => void this.open(), this.nextDelay());
    });
  }

  private nextDelay(): number {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 500, maxMs: 15_000 };
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.attempt);
    this.attempt += 1;
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}
