import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { RelayStoppedReading, streamedTurnFunction, type LocalTurnFunction } from './local-turn';
import { bundleHandler } from '../../../building-blocks/custom-resources/inline-handler';

/** The turn's entry point as the stack names it (`ChatFunctions`: `entry: handlers/turn.ts`). */
export const TURN_ENTRY = join(__dirname, '..', 'chat', 'handlers', 'turn.ts');
/** The `$connect` authorizer's entry point as the stack names it (`ChatFunctions`: `entry: handlers/authorizer.ts`). */
export const AUTHORIZER_ENTRY = join(__dirname, '..', 'chat', 'handlers', 'authorizer.ts');
/** The repository's `node_modules`: the bundle keeps `@aws-sdk/*` external, as the Lambda runtime provides it. */
const NODE_MODULES = resolve(__dirname, '..', '..', '..', 'node_modules');

/** The turn's streaming handler as Lambda calls it once `awslambda.streamifyResponse` wrapped it. */
type StreamingHandler = (event: unknown, stream: NodeJS.WritableStream, context: Context) => Promise<void>;

/** The bundled turn, loaded. */
export interface BundledTurn {
  /** The directory of the bundle (`turn/index.js`, the bytes `handlerAssetDirectory` ships), removed by `close`. */
  readonly directory: string;
  /** The relay's `invokeTurn` and what it ran, as `localTurnFunction` gives them (no outcome: the entry point returns none). */
  readonly fn: LocalTurnFunction;
  /** Removes the bundle's directory and puts the environment back. */
  close(): void;
}

/**
 * Bundles the turn's entry point (`turn.ts`: Powertools' Logger, Metrics and Tracer around `runTurn`) with the same
 * esbuild call the stack's code asset is made with (`bundleHandler`), into a temporary directory, and loads it as the
 * Lambda Node.js runtime does: the environment the stack gives the function (`environment`, plus `AWS_REGION` and
 * `AWS_LAMBDA_FUNCTION_NAME`) set before the module loads and stays set while it runs, `awslambda.streamifyResponse` on
 * the global object while it loads (it hands the handler back as is). Each invocation gets a Lambda-like context and a
 * response stream whose newline-delimited frames the relay reads as it reads `InvokeWithResponseStream`'s payload.
 *
 * Outside Lambda (no `AWS_EXECUTION_ENV`) Powertools' Tracer records nothing; the Logger's JSON lines and the Metrics'
 * EMF documents go to this process's stdout, where `EmfTap` reads them.
 */
export function loadBundledTurn(options: {
  readonly environment: Record<string, string>;
  readonly region: string;
  readonly functionName: string;
}): BundledTurn {
  const bundle = writeBundle(TURN_ENTRY, 'turn', { ...options.environment, AWS_REGION: options.region, AWS_LAMBDA_FUNCTION_NAME: options.functionName });
  return bundle.load(() => ({
    directory: bundle.directory,
    fn: streamingTurnFunction(loadStreamingHandler(bundle.file), options.functionName),
    close: bundle.close,
  }));
}

/** The bundled authorizer, loaded. */
export interface BundledAuthorizer {
  /** The directory of the bundle (`authorizer/index.js`), removed by `close`. */
  readonly directory: string;
  /** Calls the entry point's `handler` with the event and a Lambda-like context. */
  authorize(event: unknown): Promise<unknown>;
  /** Removes the bundle's directory and puts the environment back. */
  close(): void;
}

/**
 * Bundles the `$connect` authorizer's entry point (`authorizer.ts`: Powertools around `createAuthorizer`) as the stack
 * ships it and loads it with its function's environment (`USER_POOL_ID`, `CLIENT_ID`, `TOKEN_USE`; locally also
 * `JWKS_URL`, the local issuer's keys), which it reads on its first invocation.
 */
export function loadBundledAuthorizer(options: {
  readonly environment: Record<string, string>;
  readonly region: string;
  readonly functionName: string;
}): BundledAuthorizer {
  const bundle = writeBundle(AUTHORIZER_ENTRY, 'authorizer', { ...options.environment, AWS_REGION: options.region });
  return bundle.load(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(bundle.file) as { handler?: (event: unknown, context: Context) => Promise<unknown> };
    const handler = loaded.handler;
    if (typeof handler !== 'function') throw new Error(`${bundle.file}: the bundle exports no handler`);
    return {
      directory: bundle.directory,
      authorize: (event) => handler(event, lambdaContext(options.functionName, options.region)),
      close: bundle.close,
    };
  });
}

/**
 * Bundles `entry` with the stack's esbuild call (`bundleHandler`) into `<temporary directory>/<name>/index.js`, beside a
 * link to the repository's `node_modules`, with `environment` set for the process. `load` runs what loads the bundle;
 * if it throws, the environment is put back and the directory removed before the error goes on. `close` does the same
 * for a bundle that loaded.
 */
function writeBundle(entry: string, name: string, environment: Record<string, string>) {
  const directory = mkdtempSync(join(tmpdir(), 'support-chat-bundles-'));
  const restore = setEnvironment(environment);
  const close = () => {
    restore();
    rmSync(directory, { recursive: true, force: true });
  };
  const file = join(directory, name, 'index.js');
  const load = <T>(loader: () => T): T => {
    try {
      symlinkSync(NODE_MODULES, join(directory, 'node_modules'), 'dir');
      mkdirSync(join(directory, name));
      writeFileSync(file, bundleHandler(entry));
      return loader();
    } catch (error) {
      close();
      throw error;
    }
  };
  return { directory, file, close, load };
}

/** Requires a bundle that exports `handler = awslambda.streamifyResponse(...)`, with a pass-through `streamifyResponse`. */
function loadStreamingHandler(file: string): StreamingHandler {
  const global = globalThis as unknown as { awslambda?: { streamifyResponse?: (h: StreamingHandler) => StreamingHandler } };
  const added = global.awslambda === undefined;
  global.awslambda ??= {};
  const hadStreamify = global.awslambda.streamifyResponse !== undefined;
  global.awslambda.streamifyResponse ??= (h) => h;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(file) as { handler?: StreamingHandler };
    if (typeof loaded.handler !== 'function') throw new Error(`${file}: the bundle exports no streaming handler`);
    return loaded.handler;
  } finally {
    if (added) delete global.awslambda;
    else if (!hadStreamify) delete global.awslambda?.streamifyResponse;
  }
}

/** A context as Lambda passes it, with what Powertools' Logger reads from it. */
function lambdaContext(functionName: string, region: string | undefined): Context {
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region ?? 'eu-central-1'}:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The relay's `invokeTurn` over a streaming handler: the request crosses a JSON round trip (the invocation payload), the
 * handler writes to a response stream, and each line becomes a frame as it is written. When the relay stops reading,
 * later writes fail (as a closed response stream does) and the handler goes on, as a detached turn does in Lambda.
 */
export function streamingTurnFunction(handler: StreamingHandler, functionName: string): LocalTurnFunction {
  return streamedTurnFunction((record, channel) => {
    let partial = '';
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        if (channel.stopped) return done(new RelayStoppedReading());
        partial += chunk.toString();
        let newline: number;
        while ((newline = partial.indexOf('\n')) >= 0) {
          const line = partial.slice(0, newline);
          partial = partial.slice(newline + 1);
          if (line.length > 0) channel.push(line);
        }
        done();
      },
    });
    return handler(JSON.parse(JSON.stringify(record.request)), stream, lambdaContext(functionName, process.env.AWS_REGION))
      .then(() => undefined)
      .finally(() => {
        if (partial.length > 0) channel.push(partial);
      });
  });
}

/** Sets environment variables and returns how to put the old values back. */
function setEnvironment(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
