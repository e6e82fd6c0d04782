import { FRAME_SIZE_LIMIT_BYTES, MESSAGE_PAYLOAD_LIMIT_BYTES } from '../../../../emulators/websocket-gateway/websocket-quotas';
import {
  type ChunkFrame, DEFAULT_MAX_FRAME_BYTES, type Frame, FrameWriter, jsonEncodedBytes, type ScheduleTimer, splitByEncodedBytes,
  WEBSOCKET_QUOTAS,
} from '../../../../workloads/support-chat/chat/handlers/lib/frames';

/** A seeded PRNG (Park–Miller), so every run sees the same "random" values. */
function seeded(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

/** Pieces of text of every UTF-8 length and every JSON escape: ASCII, quotes, control characters, Latin, CJK, emoji. */
const ALPHABET = ['a', 'Z', ' ', '"', '\\', '\n', '\t', '\u0001', 'é', 'ß', 'ж', '中', 'の', '한', '😀', '👍🏽', '𝄞'];

function randomText(random: () => number, minBytes: number): string {
  let text = '';
  let bytes = 0;
  while (bytes < minBytes) {
    const piece = ALPHABET[Math.floor(random() * ALPHABET.length)];
    text += piece;
    bytes += Buffer.byteLength(piece);
  }
  return text;
}

/** Whether a string has no lone surrogate (String.prototype.isWellFormed, spelled out). */
function wellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** A send that records what it was given. */
function recorder() {
  const sent: string[] = [];
  const send = jest.fn(async (data: string) => {
    sent.push(data);
  });
  return { sent, send, frames: () => sent.map((s) => JSON.parse(s) as Frame) };
}

/** A timer whose callbacks run only when the test fires them. */
function manualTimers() {
  const timers: { callback: () => void; ms: number; cancelled: boolean }[] = [];
  const schedule: ScheduleTimer = (callback, ms) => {
    const timer = { callback, ms, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  const fire = async () => {
    for (const timer of timers.splice(0)) if (!timer.cancelled) timer.callback();
    await new Promise((resolve) => setImmediate(resolve));
  };
  const live = () => timers.filter((t) => !t.cancelled);
  return { schedule, fire, live };
}

function goneError(): Error {
  return Object.assign(new Error('gone'), { name: 'GoneException', $metadata: { httpStatusCode: 410 } });
}

const IDS = { conversationId: 'c-1', messageId: 'm-1' };

function expectWellFormedStream(sent: string[], maxBytes: number) {
  const frames = sent.map((s) => JSON.parse(s) as Frame);
  for (const data of sent) expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(maxBytes);
  expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
  for (const frame of frames) expect(frame).toMatchObject(IDS);
  for (const frame of frames.filter((f): f is ChunkFrame => f.type === 'chunk')) {
    expect(wellFormed(frame.text)).toBe(true);
    expect(frame.text.length).toBeGreaterThan(0);
  }
  return frames;
}

describe('splitByEncodedBytes', () => {
  test('each piece fits the budget as JSON, pieces rejoin to the text, no surrogate pair is split', () => {
    const random = seeded(7);
    for (const budget of [6, 7, 13, 64, 1000]) {
      const text = randomText(random, 5000) + '\ud800' + randomText(random, 100) + '\udc00';
      const pieces = splitByEncodedBytes(text, budget);
      expect(pieces.join('')).toBe(text);
      for (const piece of pieces) {
        // JSON.stringify adds the two quotes.
        expect(Buffer.byteLength(JSON.stringify(piece), 'utf8') - 2).toBeLessThanOrEqual(budget);
        expect(piece.length).toBeGreaterThan(0);
      }
      // No cut falls between the two halves of a surrogate pair.
      let offset = 0;
      for (const piece of pieces.slice(0, -1)) {
        offset += piece.length;
        const high = text.charCodeAt(offset - 1);
        const low = text.charCodeAt(offset);
        expect(high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff).toBe(false);
      }
    }
  });

  test('jsonEncodedBytes agrees with JSON.stringify for every kind of code point', () => {
    for (const char of [...ALPHABET.join(''), '\u0000', '\u001f', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udfff']) {
      expect(jsonEncodedBytes(char.codePointAt(0)!)).toBe(Buffer.byteLength(JSON.stringify(char), 'utf8') - 2);
    }
  });

  test('refuses a budget that cannot hold one escaped code point', () => {
    expect(() => splitByEncodedBytes('abc', 5)).toThrow(RangeError);
  });
});

describe('FrameWriter: frame size', () => {
  test('a 100 KB answer streamed as deltas arrives in frames under 32 KB that reassemble exactly, seq contiguous', async () => {
    const random = seeded(42);
    const answer = randomText(random, 100 * 1024);
    const { sent, send } = recorder();
    const timers = manualTimers();
    const writer = new FrameWriter({ ...IDS, send, schedule: timers.schedule });
    let offset = 0;
    let deltas = 0;
    while (offset < answer.length) {
      let end = Math.min(answer.length, offset + 1 + Math.floor(random() * 40));
      // Deltas from the SDK are whole strings; cut between code points as a stream of tokens would.
      if (/[\ud800-\udbff]/.test(answer[end - 1] ?? '')) end++;
      expect(await writer.write(answer.slice(offset, end))).toBe(true);
      offset = end;
      deltas++;
      if (deltas % 50 === 0) await timers.fire();
    }
    const summary = await writer.end({ inputTokens: 10, outputTokens: 20, totalTokens: 30 });

    const frames = expectWellFormedStream(sent, DEFAULT_MAX_FRAME_BYTES);
    expect(DEFAULT_MAX_FRAME_BYTES).toBeLessThan(WEBSOCKET_QUOTAS.frameBytes);
    const chunks = frames.filter((f): f is ChunkFrame => f.type === 'chunk');
    expect(chunks.map((c) => c.text).join('')).toBe(answer);
    expect(frames[frames.length - 1]).toEqual({ type: 'done', ...IDS, seq: frames.length - 1, usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 } });
    // Coalesced: far fewer frames than deltas.
    expect(chunks.length).toBeLessThan(deltas / 4);
    expect(summary).toEqual({ state: 'done', frames: sent.length, bytes: sent.reduce((n, s) => n + Buffer.byteLength(s), 0) });
  });

  test('one 100 KB delta is cut into frames under the limit, multi-byte characters intact', async () => {
    const answer = '😀中"é\\'.repeat(8000);
    const { sent, send } = recorder();
    const writer = new FrameWriter({ ...IDS, send });
    await writer.write(answer);
    await writer.end();
    const frames = expectWellFormedStream(sent, DEFAULT_MAX_FRAME_BYTES);
    expect(frames.length).toBeGreaterThan(4);
    expect(frames.filter((f): f is ChunkFrame => f.type === 'chunk').map((f) => f.text).join('')).toBe(answer);
  });

  test('a small maxFrameBytes holds with escapes and four-byte characters, the seq digits growing', async () => {
    const answer = '"\u0001😀\\'.repeat(7000);
    const { sent, send } = recorder();
    const writer = new FrameWriter({ ...IDS, send, maxFrameBytes: 160, coalesceMs: 0 });
    await writer.write(answer);
    await writer.end();
    const frames = expectWellFormedStream(sent, 160);
    expect(frames.length).toBeGreaterThan(1000);
    expect(frames.filter((f): f is ChunkFrame => f.type === 'chunk').map((f) => f.text).join('')).toBe(answer);
  });

  test('refuses a maxFrameBytes over the 32 KB quota, or too small for the ids', () => {
    const { send } = recorder();
    expect(() => new FrameWriter({ ...IDS, send, maxFrameBytes: WEBSOCKET_QUOTAS.frameBytes + 1 })).toThrow(RangeError);
    expect(() => new FrameWriter({ conversationId: 'c'.repeat(100), messageId: 'm', send, maxFrameBytes: 150 })).toThrow(RangeError);
    expect(() => new FrameWriter({ ...IDS, send, maxFrameBytes: WEBSOCKET_QUOTAS.frameBytes })).not.toThrow();
  });

  test('the writer\'s quotas are the ones the local gateway emulator enforces (emulator only: AWS enforces its own)', () => {
    expect(WEBSOCKET_QUOTAS).toEqual({ frameBytes: FRAME_SIZE_LIMIT_BYTES, messageBytes: MESSAGE_PAYLOAD_LIMIT_BYTES });
  });

  test('a long error message is cut to fit one frame', async () => {
    const { sent, send } = recorder();
    const writer = new FrameWriter({ ...IDS, send, maxFrameBytes: 200 });
    await writer.fail('internal', 'ü'.repeat(1000));
    expect(sent).toHaveLength(1);
    expect(Buffer.byteLength(sent[0])).toBeLessThanOrEqual(200);
    const frame = JSON.parse(sent[0]) as Frame;
    expect(frame).toMatchObject({ type: 'error', code: 'internal', seq: 0 });
  });
});

describe('FrameWriter: coalescing', () => {
  test('the first chunk goes out at once; later small deltas wait for the timer', async () => {
    const { sent, send, frames } = recorder();
    const timers = manualTimers();
    const writer = new FrameWriter({ ...IDS, send, schedule: timers.schedule, coalesceMs: 40, coalesceBytes: 1000 });
    await writer.write('Hel');
    expect(frames()).toEqual([{ type: 'chunk', ...IDS, seq: 0, text: 'Hel' }]);
    await writer.write('lo');
    await writer.write(', wor');
    expect(sent).toHaveLength(1);
    expect(timers.live().map((t) => t.ms)).toEqual([40]);
    await timers.fire();
    expect(frames()[1]).toEqual({ type: 'chunk', ...IDS, seq: 1, text: 'lo, wor' });
    await writer.write('ld');
    await writer.end();
    expect(frames().map((f) => f.type)).toEqual(['chunk', 'chunk', 'chunk', 'done']);
    expect(frames()[2]).toMatchObject({ seq: 2, text: 'ld' });
    expect(timers.live()).toHaveLength(0);
  });

  test('buffered text goes out once it reaches coalesceBytes, without the timer', async () => {
    const { send, frames } = recorder();
    const timers = manualTimers();
    const writer = new FrameWriter({ ...IDS, send, schedule: timers.schedule, coalesceBytes: 10 });
    await writer.write('first');
    await writer.write('abcd');
    await writer.write('efgh');
    expect(frames()).toHaveLength(1);
    await writer.write('ijkl');
    expect(frames().map((f) => (f as ChunkFrame).text)).toEqual(['first', 'abcdefghijkl']);
    expect(timers.live()).toHaveLength(0);
  });

  test('coalesceMs 0 sends every delta', async () => {
    const { send, frames } = recorder();
    const writer = new FrameWriter({ ...IDS, send, coalesceMs: 0 });
    for (const delta of ['a', 'b', 'c']) await writer.write(delta);
    expect(frames().map((f) => (f as ChunkFrame).text)).toEqual(['a', 'b', 'c']);
  });

  test('the default timer flushes a stalled stream within a few tens of milliseconds', async () => {
    const { send, frames } = recorder();
    const writer = new FrameWriter({ ...IDS, send, coalesceMs: 5 });
    await writer.write('a');
    await writer.write('b');
    expect(frames()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(frames().map((f) => (f as ChunkFrame).text)).toEqual(['a', 'b']);
    await writer.end();
  });
});

describe('FrameWriter: endings', () => {
  test('fail sends the buffered text, then an error frame with the code and message', async () => {
    const { send, frames } = recorder();
    const timers = manualTimers();
    const writer = new FrameWriter({ ...IDS, send, schedule: timers.schedule });
    await writer.write('Partial ');
    await writer.write('answer');
    const summary = await writer.fail('model_unavailable', 'The assistant is unavailable, please try again.');
    expect(frames()).toEqual([
      { type: 'chunk', ...IDS, seq: 0, text: 'Partial ' },
      { type: 'chunk', ...IDS, seq: 1, text: 'answer' },
      { type: 'error', ...IDS, seq: 2, code: 'model_unavailable', message: 'The assistant is unavailable, please try again.' },
    ]);
    expect(summary.state).toBe('failed');
  });

  test('an error frame alone is seq 0', async () => {
    const { send, frames } = recorder();
    const writer = new FrameWriter({ ...IDS, send });
    await writer.fail('input_too_long', 'Please keep messages under 10,000 characters.');
    expect(frames()).toEqual([{ type: 'error', ...IDS, seq: 0, code: 'input_too_long', message: 'Please keep messages under 10,000 characters.' }]);
  });

  test('writing or ending twice after the end throws', async () => {
    const { send } = recorder();
    const writer = new FrameWriter({ ...IDS, send });
    await writer.end();
    await expect(writer.write('x')).rejects.toThrow(/after end/);
    await expect(writer.end()).rejects.toThrow(/already ended/);
  });
});

describe('FrameWriter: GoneException', () => {
  test('a GoneException ends the stream cleanly: write answers false, nothing more is sent, end resolves as gone', async () => {
    let calls = 0;
    const send = jest.fn(async () => {
      calls++;
      if (calls === 2) throw goneError();
    });
    const writer = new FrameWriter({ ...IDS, send, coalesceMs: 0 });
    expect(await writer.write('one')).toBe(true);
    expect(await writer.write('two')).toBe(false);
    expect(writer.gone).toBe(true);
    expect(await writer.write('three')).toBe(false);
    const summary = await writer.end({ inputTokens: 1, outputTokens: 2, totalTokens: 3 });
    expect(summary).toMatchObject({ state: 'gone', frames: 1 });
    expect(send).toHaveBeenCalledTimes(2);
  });

  test('a 410 without the exception name counts as gone too, also from a timer flush', async () => {
    const timers = manualTimers();
    let calls = 0;
    const send = jest.fn(async () => {
      calls++;
      if (calls === 2) throw Object.assign(new Error('Gone'), { $metadata: { httpStatusCode: 410 } });
    });
    const writer = new FrameWriter({ ...IDS, send, schedule: timers.schedule });
    await writer.write('first');
    await writer.write('second');
    await timers.fire();
    expect(writer.state).toBe('gone');
    expect(await writer.write('third')).toBe(false);
    await expect(writer.fail('internal', 'x')).resolves.toMatchObject({ state: 'gone' });
    expect(send).toHaveBeenCalledTimes(2);
  });

  test('another send error rejects the write and stops the writer', async () => {
    const send = jest.fn(async () => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    const writer = new FrameWriter({ ...IDS, send });
    await expect(writer.write('x')).rejects.toThrow('socket hang up');
    expect(writer.state).toBe('failed');
    await expect(writer.fail('internal', 'x')).resolves.toMatchObject({ state: 'failed', frames: 0 });
    expect(send).toHaveBeenCalledTimes(1);
  });
});
