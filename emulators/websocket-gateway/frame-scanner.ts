/** One header of a WebSocket frame. */
export interface WebSocketFrameHeader {
  /** Whether this is the last frame of its message. */
  readonly fin: boolean;
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number;
  /** Payload length in bytes. */
  readonly payloadLength: number;
}

/**
 * Reads the frame headers out of a WebSocket byte stream (RFC 6455, 5.2), skipping payloads, and reports each frame. The
 * `ws` library enforces only a message size; API Gateway also limits each frame, so the gateway watches the raw socket.
 */
export class WebSocketFrameScanner {
  private pending: Buffer = Buffer.alloc(0);
  private skip = 0;

  constructor(private readonly onFrame: (frame: WebSocketFrameHeader) => void) {}

  /** Feeds the next bytes of the stream. */
  public push(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, rest.length);
        this.skip -= skipped;
        rest = rest.subarray(skipped);
        continue;
      }
      this.pending = Buffer.concat([this.pending, rest]);
      rest = Buffer.alloc(0);
      const header = parseFrameHeader(this.pending);
      if (!header) return;
      this.onFrame(header.frame);
      rest = this.pending.subarray(header.length);
      this.pending = Buffer.alloc(0);
      this.skip = header.frame.payloadLength;
    }
  }
}

/** The header at the start of `bytes` and its length (with the masking key), or undefined while it is incomplete. */
function parseFrameHeader(bytes: Buffer): { frame: WebSocketFrameHeader; length: number } | undefined {
  if (bytes.length < 2) return undefined;
  const masked = bytes[1] >= 128;
  const shortLength = bytes[1] % 128;
  const extended = shortLength === 126 ? 2 : shortLength === 127 ? 8 : 0;
  const length = 2 + extended + (masked ? 4 : 0);
  if (bytes.length < length) return undefined;
  const payloadLength = extended === 2 ? bytes.readUInt16BE(2) : extended === 8 ? Number(bytes.readBigUInt64BE(2)) : shortLength;
  return { frame: { fin: bytes[0] >= 128, opcode: bytes[0] % 16, payloadLength }, length };
}
