/**
 * What every custom-resource handler of this app shares (bundled into each, see `inline-handler.ts`): retries with
 * exponential backoff for throttling and server errors, error descriptions CloudFormation can show, and the answer
 * to CloudFormation's response URL. Handlers turn the SDK's own retries off (`maxAttempts: 1`) so this schedule is
 * the one that runs.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';

/** Attempts per API call and the first backoff delay (doubling: 200, 400, 800, 1,600, 3,200 ms). */
export const RETRY = { attempts: 6, firstDelayMs: 200 };

const RETRYABLE_ERRORS = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailableException', 'InternalServerException']);

/** A property CloudFormation passed that the handler cannot use: fails at once, nothing is called. */
export class InvalidPropertiesError extends Error {
  public override readonly name = 'InvalidProperties';
}

function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  return RETRYABLE_ERRORS.has(e.name ?? '') || status === 429 || status >= 500;
}

/**
 * The error as CloudFormation should show it: `name: message` and, when the service answered, the HTTP status and
 * request id (for an answer the SDK could not parse, the name is the parser's and the status is what identifies it).
 */
export function describe(error: unknown): string {
  const e = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
  const answer = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode}, request id ${e.$metadata.requestId ?? 'none'})` : '';
  return `${e.name}: ${e.message.split('\n')[0]}${answer}`;
}

/** Calls `call`, retrying throttling and server errors with exponential backoff. */
export async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= RETRY.attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY.firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/**
 * Runs `apply` for the event and always answers CloudFormation: SUCCESS with the physical id it returns, or FAILED
 * with `<RequestType> failed: <action>: <error>` and the log stream. A failed Create answers `notCreatedId`, so the
 * Delete CloudFormation sends next can tell there is nothing to undo.
 */
export async function answerCloudFormation(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'logStreamName'> | undefined,
  apply: () => Promise<string>,
  failure: { action: string; notCreatedId: string },
): Promise<void> {
  let response: { Status: 'SUCCESS' | 'FAILED'; PhysicalResourceId: string; Reason?: string };
  try {
    response = { Status: 'SUCCESS', PhysicalResourceId: await apply() };
  } catch (error) {
    const where = context?.logStreamName ? ` (log stream ${context.logStreamName})` : '';
    response = {
      Status: 'FAILED',
      PhysicalResourceId: event.RequestType === 'Create' ? failure.notCreatedId : event.PhysicalResourceId,
      Reason: `${event.RequestType} failed: ${failure.action}: ${describe(error)}${where}`.slice(0, 2000),
    };
    console.error(JSON.stringify({ requestType: event.RequestType, reason: response.Reason }));
  }
  const body = JSON.stringify({ ...response, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  const answer = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!answer.ok) throw new Error(`CloudFormation response URL answered ${answer.status}`);
}
