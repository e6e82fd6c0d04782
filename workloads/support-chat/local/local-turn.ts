import type { TurnInvoker } from '../chat/handlers/relay-core';
import { runTurn, type TurnDependencies, type TurnOutcome, type TurnRequest } from '../chat/handlers/turn-core';

/** One turn the in-process invoker ran: the request as the turn received it, and its outcome once it ended. */
export interface LocalTurnRecord {
  readonly request: TurnRequest;
  outcome?: TurnOutcome;
  /** The error the turn threw (the relay's invocation fails with it, as `InvokeWithResponseStream` reports `ErrorCode`). */
  error?: unknown;
}

/** The in-process stand-in of the turn function, and what it ran. */
export interface LocalTurnFunction {
  /** The relay's `invokeTurn`. */
  readonly invoke: TurnInvoker;
  /** Every turn, in the order they started. */
  readonly turns: LocalTurnRecord[];
  /** Resolves when every turn started so far has ended (or after `timeoutMs`). */
  settled(timeoutMs?: number): Promise<void>;
}

/** Thrown into a turn's `send` once the relay stopped reading its frames (as a write to a closed response stream fails). */
export class RelayStoppedReading extends Error {
  constructor() {
    super('the relay stopped reading the turn\'s response stream');
    this.name = 'RelayStoppedReading';
  }
}

/** Where a turn writes its frames for the relay: `push` queues one; `stopped` once the relay stopped reading them. */
export interface FrameChannel {
  readonly stopped: boolean;
  push(frame: string): void;
}

/**
 * The relay's streaming interface over the turns `run` starts: each request crosses a JSON round trip (the invocation
 * payload), `run` writes frames to its channel, and `invoke` yields them as they are written, through an unbounded
 * queue, as Lambda response streaming buffers the function's writes without waiting for the reader. When the relay
 * stops reading, the channel says so and the turn goes on detached; when the turn's promise rejects, the iteration
 * throws after the frames it wrote. `settled` waits for every turn started so far.
 */
export function streamedTurnFunction(run: (record: LocalTurnRecord, channel: FrameChannel) => Promise<void>): LocalTurnFunction {
  const turns: LocalTurnRecord[] = [];
  const running = new Set<Promise<unknown>>();

  const invoke: TurnInvoker = (request) => {
    const record: LocalTurnRecord = { request: JSON.parse(JSON.stringify(request)) as TurnRequest };
    turns.push(record);
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let readerLeft = false;
    const channel: FrameChannel = {
      get stopped() {
        return readerLeft;
      },
      push: (frame) => {
        queue.push(frame);
        wake?.();
      },
    };
    const turn = run(record, channel)
      .catch((error: unknown) => { record.error = error; })
      .finally(() => {
        ended = true;
        wake?.();
      });
    running.add(turn);
    void turn.finally(() => running.delete(turn));

    return (async function* frames(): AsyncGenerator<string> {
      try {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            yield next;
          } else if (ended) {
            if (record.error !== undefined) throw record.error;
            return;
          } else {
            await new Promise<void>((resolve) => { wake = resolve; });
            wake = undefined;
          }
        }
      } finally {
        readerLeft = true;
      }
    })();
  };

  const settled = async (timeoutMs = 10_000) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([Promise.allSettled([...running]), timeout]);
    clearTimeout(timer);
  };

  return { invoke, turns, settled };
}

/**
 * The turn function in-process, through the same streaming interface the relay uses in AWS
 * (docs/adr/0007-websocket-relay-outside-the-vpc.md): `invoke(request)` runs `runTurn` with the dependencies of the
 * current "container" and yields its frames as they are written (`streamedTurnFunction`). When the relay stops reading
 * (its client is gone), further writes fail and the turn goes on detached, storing its answer for a resume; when the
 * turn throws, the iteration throws after the frames it wrote.
 */
export function localTurnFunction(dependencies: () => TurnDependencies): LocalTurnFunction {
  return streamedTurnFunction((record, channel) => runTurn(record.request, dependencies(), async (data: string) => {
    if (channel.stopped) throw new RelayStoppedReading();
    channel.push(data);
  }).then((outcome) => { record.outcome = outcome; }));
}
