import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { withLocalClassifier } from './local-classifier';
import { lastUserText } from '../../../emulators/bedrock-runtime/bedrock-answer';
import { type BedrockRequestRecord, BedrockEmulator, monotonicMs, THROTTLE } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import { readBody, sendJson } from '../../../emulators/http/http-body';

/*
 * The Bedrock emulator in a process of its own, so that its CPU does not count against the process that calls it
 * (`npx projen bench:chat` starts it this way). It serves what `BedrockEmulator` serves (Converse, ConverseStream, the
 * real event-stream wire format), answers the turn's classifier calls with the local classifier (`local-classifier.ts`),
 * paces every answer, and throttles a fraction of all model requests (classifier and answers alike) with
 * `ThrottlingException` (HTTP 429, before any stream), drawn from a seeded sequence so a run can be repeated.
 *
 *   ts-node --transpile-only -P tsconfig.json workloads/support-chat/local/bedrock-emulator-process.ts [options]
 *
 *   --first-token-ms <n>   ConverseStream: milliseconds from the request to the first text chunk (default 200)
 *   --inter-token-ms <n>   milliseconds between text chunks (default 30)
 *   --chunk-size <n>       characters per contentBlockDelta event, a few tokens (default 12)
 *   --classifier-ms <n>    the classifier's Converse response time (default 150)
 *   --throttle <f>         fraction of model requests answered with ThrottlingException, 0 to 1 (default 0)
 *   --seed <n>             seed of the throttling draw (default 1)
 *   --label <regex>        a pattern matched in each request's last user message; its first group labels the request's
 *                          record (e.g. a turn id the caller put in the message text)
 *   --port <n>             the emulator's port on 127.0.0.1 (default a free one); the control server takes another free one
 *   --exit-with-stdin      exit when stdin ends (a parent that dies takes the emulator with it)
 *
 * Once listening it prints one JSON line to stdout: `{"endpoint","control","pid"}`. The control server (HTTP/1.1, JSON,
 * 127.0.0.1) serves:
 *
 *   GET  /clock             `{"monotonicMs"}`: now on the emulator's clock, `process.hrtime.bigint()` in milliseconds, which
 *                           on Linux is CLOCK_MONOTONIC, the same clock in every process of the host
 *   GET  /records?from=<i>  the requests served, from arrival index i: `{sequence, operation, modelId, label, outcome,
 *                           arrivedMs, firstTokenMs, endedMs, chunks}`, times on that clock (server side: from the
 *                           request's headers to the answer's last bytes, or its fault)
 *   POST /settings          `{"throttle": f}`: the throttled fraction from now on; answers the settings in force
 *   GET  /stats             requests served, streams open now and at most, this process's CPU and memory
 *
 * SIGINT, SIGTERM (and the end of stdin with --exit-with-stdin) stop it.
 */

/** The pacing and throttling of the emulator process, as its options give them. */
export interface EmulatorProcessSettings {
  readonly firstTokenMs: number;
  readonly interTokenMs: number;
  readonly chunkSize: number;
  readonly classifierMs: number;
  throttle: number;
  readonly seed: number;
  readonly label?: RegExp;
}

/** What `GET /records` answers for each request. */
export interface EmulatorRecordSummary {
  readonly sequence: number;
  readonly operation: string;
  readonly modelId: string;
  /** The first group of `--label` in the last user message, if it matched. */
  readonly label?: string;
  readonly outcome: string;
  /** Monotonic milliseconds (see `monotonicMs`): the request's headers arrived. */
  readonly arrivedMs: number;
  /** The first text chunk (or the Converse response) was written. */
  readonly firstTokenMs?: number;
  /** The answer ended, whatever the outcome. */
  readonly endedMs?: number;
  readonly chunks: number;
}

/** What the process prints on its one line of stdout once it listens. */
export interface EmulatorProcessAddress {
  readonly endpoint: string;
  readonly control: string;
  readonly pid: number;
}

/** A small, fast, seeded generator of numbers in [0, 1) (mulberry32): the throttling draw repeats with the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0; // eslint-disable-line no-bitwise
  /* eslint-disable no-bitwise */
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /* eslint-enable no-bitwise */
}

/** Parses the options above. */
export function parseEmulatorProcessArgs(args: readonly string[]): { settings: EmulatorProcessSettings; port: number; exitWithStdin: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'first-token-ms': { type: 'string', default: '200' },
      'inter-token-ms': { type: 'string', default: '30' },
      'chunk-size': { type: 'string', default: '12' },
      'classifier-ms': { type: 'string', default: '150' },
      'throttle': { type: 'string', default: '0' },
      'seed': { type: 'string', default: '1' },
      'label': { type: 'string' },
      'port': { type: 'string', default: '0' },
      'exit-with-stdin': { type: 'boolean', default: false },
    },
  });
  const number = (name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}, not ${values[name]}`);
    return value;
  };
  return {
    settings: {
      firstTokenMs: number('first-token-ms', 0),
      interTokenMs: number('inter-token-ms', 0),
      chunkSize: number('chunk-size', 1),
      classifierMs: number('classifier-ms', 0),
      throttle: number('throttle', 0, 1),
      seed: number('seed', 0),
      label: values.label ? new RegExp(values.label) : undefined,
    },
    port: number('port', 0, 65535),
    exitWithStdin: values['exit-with-stdin'] ?? false,
  };
}

/**
 * Starts the emulator with `settings` (the classifier answered locally, `settings.throttle` of the requests throttled) and
 * its control server. Returns both addresses and how to stop them.
 */
export async function startEmulatorProcessServers(settings: EmulatorProcessSettings, port = 0) {
  const emulator = new BedrockEmulator({
    defaults: { firstTokenDelayMs: settings.firstTokenMs, interTokenDelayMs: settings.interTokenMs, chunkSize: settings.chunkSize },
    port,
  });
  const classifier = withLocalClassifier();
  const random = seededRandom(settings.seed);
  emulator.script((request) => {
    if (random() < settings.throttle) return THROTTLE;
    const label = classifier(request);
    return label && { ...label, firstTokenDelayMs: settings.classifierMs };
  });
  await emulator.start();

  const summary = (r: BedrockRequestRecord): EmulatorRecordSummary => ({
    sequence: r.sequence,
    operation: r.operation,
    modelId: r.modelId,
    label: settings.label ? settings.label.exec(lastUserText(r))?.[1] : undefined,
    outcome: r.outcome,
    arrivedMs: r.arrivedAtMonotonicMs,
    firstTokenMs: r.firstTokenAtMonotonicMs,
    endedMs: r.endedAtMonotonicMs,
    chunks: r.chunksSent,
  });
  const control = createServer((req, res) => {
    answerControl(req, res, {
      clock: () => ({ monotonicMs: monotonicMs() }),
      records: (from) => emulator.requests.slice(from).map(summary),
      settings: (body) => {
        const throttle = (body as { throttle?: unknown }).throttle;
        if (throttle !== undefined) {
          if (typeof throttle !== 'number' || !(throttle >= 0 && throttle <= 1)) throw new Error('throttle must be a number from 0 to 1');
          settings.throttle = throttle;
        }
        return { ...settings, label: settings.label?.source };
      },
      stats: () => ({
        requests: emulator.requests.length,
        activeStreams: emulator.activeStreams,
        peakStreams: emulator.peakStreams,
        cpu: process.cpuUsage(),
        memory: process.memoryUsage(),
      }),
    }).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(0, '127.0.0.1', () => resolve());
  });
  const address: EmulatorProcessAddress = {
    endpoint: emulator.endpoint,
    control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    pid: process.pid,
  };
  const close = async () => {
    control.closeAllConnections();
    await new Promise<void>((resolve) => control.close(() => resolve()));
    await emulator.close();
  };
  return { address, emulator, close };
}

interface ControlRoutes {
  clock(): unknown;
  records(from: number): unknown;
  settings(body: unknown): unknown;
  stats(): unknown;
}

async function answerControl(req: IncomingMessage, res: ServerResponse, routes: ControlRoutes): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(req);
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /clock') return sendJson(res, 200, routes.clock());
  if (route === 'GET /records') return sendJson(res, 200, routes.records(Math.max(0, Number(url.searchParams.get('from') ?? 0) || 0)));
  if (route === 'GET /stats') return sendJson(res, 200, routes.stats());
  if (route === 'POST /settings') return sendJson(res, 200, routes.settings(JSON.parse(body.toString('utf8') || '{}')));
  return sendJson(res, 404, { message: `no ${route}; try GET /clock, GET /records?from=0, POST /settings, GET /stats` });
}

async function main(): Promise<void> {
  const { settings, port, exitWithStdin } = parseEmulatorProcessArgs(process.argv.slice(2));
  const { address, close } = await startEmulatorProcessServers(settings, port);
  let closing: Promise<void> | undefined;
  const stop = () => {
    closing ??= close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (exitWithStdin) {
    process.stdin.on('end', stop).on('close', stop).resume();
  }
  process.stdout.write(`${JSON.stringify(address)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
