import { randomUUID } from 'node:crypto';
import type { Callback, Context } from 'aws-lambda';
import type { LambdaHandler } from './websocket-events';

/* A handler module's `handler` invoked in-process as the Lambda Node.js runtime would, and the integration timeout. */

/** The integration timeout passed while the handler ran (it keeps running: API Gateway only stops waiting). */
export class IntegrationTimeout extends Error {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Invokes a handler as the Lambda Node.js runtime does: an async result, or the callback. */
export function invoke<E, R>(handler: LambdaHandler<E, R>, event: E, context: Context): Promise<R | undefined> {
  return new Promise<R | undefined>((resolve, reject) => {
    const callback: Callback<R> = (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result));
    try {
      const returned: unknown = handler(event, context, callback);
      if (isThenable(returned)) returned.then((value) => resolve(value as R), reject);
    } catch (error) {
      reject(error);
    }
  });
}

/** `promise`, or an `IntegrationTimeout` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout('Endpoint request timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Where a local function runs: its Region, account and timeout. */
export interface LocalFunctionSite {
  readonly region: string;
  readonly accountId: string;
  /** The Lambda timeout the handler sees through `getRemainingTimeInMillis()`. */
  readonly functionTimeoutMs: number;
}

/** The Lambda context of one invocation of the function serving `route` (`$connect` → `support-chat-local-connect`). */
export function lambdaContext(route: string, site: LocalFunctionSite): Context {
  const deadline = Date.now() + site.functionTimeoutMs;
  const functionName = `support-chat-local-${route.replace(/^\$/, '')}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${site.region}:${site.accountId}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
