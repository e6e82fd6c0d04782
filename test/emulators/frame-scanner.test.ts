import { type WebSocketFrameHeader, WebSocketFrameScanner } from '../../emulators/websocket-gateway/frame-scanner';

// The frame-header reader the local gateway enforces the frame quota with (RFC 6455, 5.2: FIN, opcode, MASK, the
// 7-bit, 16-bit or 64-bit payload length, the masking key).

/** One frame as a client sends it: masked, with `payload` bytes. */
function frame(opcode: number, fin: boolean, payload: number, masked = true): Buffer {
  const lengthBytes = payload < 126 ? Buffer.from([payload]) : payload < 65536 ? Buffer.alloc(3) : Buffer.alloc(9);
  if (payload >= 126 && payload < 65536) {
    lengthBytes[0] = 126;
    lengthBytes.writeUInt16BE(payload, 1);
  } else if (payload >= 65536) {
    lengthBytes[0] = 127;
    lengthBytes.writeBigUInt64BE(BigInt(payload), 1);
  }
  if (masked) lengthBytes[0] += 128;
  const maskingKey = masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from([(fin ? 128 : 0) + opcode]), lengthBytes, maskingKey, Buffer.alloc(payload, 7)]);
}

function scan(chunks: Buffer[]): WebSocketFrameHeader[] {
  const frames: WebSocketFrameHeader[] = [];
  const scanner = new WebSocketFrameScanner((f) => frames.push(f));
  chunks.forEach((c) => scanner.push(c));
  return frames;
}

describe('WebSocketFrameScanner', () => {
  const stream = Buffer.concat([frame(1, false, 5), frame(0, false, 300), frame(0, true, 70_000), frame(9, true, 0, false), frame(8, true, 2)]);
  const expected: WebSocketFrameHeader[] = [
    { fin: false, opcode: 1, payloadLength: 5 },
    { fin: false, opcode: 0, payloadLength: 300 },
    { fin: true, opcode: 0, payloadLength: 70_000 },
    { fin: true, opcode: 9, payloadLength: 0 },
    { fin: true, opcode: 8, payloadLength: 2 },
  ];

  test('reports each frame of a stream (7-, 16- and 64-bit lengths, masked or not), skipping the payloads', () => {
    expect(scan([stream])).toEqual(expected);
  });

  test.each([1, 2, 3, 7, 1000])('the same frames when the stream arrives in chunks of %p bytes (headers split across chunks)', (size) => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
    expect(scan(chunks)).toEqual(expected);
  });

  test('an incomplete header reports nothing until its last byte arrives', () => {
    const header = frame(2, true, 200).subarray(0, 8);
    const frames: WebSocketFrameHeader[] = [];
    const scanner = new WebSocketFrameScanner((f) => frames.push(f));
    scanner.push(header.subarray(0, 7));
    expect(frames).toEqual([]);
    scanner.push(header.subarray(7));
    expect(frames).toEqual([{ fin: true, opcode: 2, payloadLength: 200 }]);
  });
});
