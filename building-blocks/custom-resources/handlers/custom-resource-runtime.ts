/**
 * What every custom-resource handler of this app shares (bundled into each, see `inline-handler.ts`): the SDK client
 * retry configuration, error descriptions CloudFormation can show, and the answer to CloudFormation's response URL.
 *
 * Retries are the SDK's own: every client is created with `RETRY` (`maxAttempts: 6`, `retryMode: 'standard'`). In
 * standard mode the SDK retries throttling (HTTP 429, `ThrottlingException`, `TooManyRequestsException`, ...) and
 * transient errors (HTTP 500, 502, 503, 504, timeouts, connection resets) with exponential backoff and full jitter
 * (a random fraction of base x 2^retry, at most 20 s), within a per-client retry quota; any other error, such as
 * `AccessDeniedException`, a validation error or an answer it cannot parse, fails the call at once. See
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html. The SDK the Lambda runtime provides
 * sets the base delays (in the SDK version this project tests with: 1,000 ms after throttling, 50 ms otherwise).
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';

/** SDK client configuration for retries: the SDK's standard retry mode, six attempts per API call. */
export const RETRY = { maxAttempts: 6, retryMode: 'standard' };

/** A property CloudFormation passed that the handler cannot use: fails at once, nothing is called. */
export class InvalidPropertiesError extends Error {
  public override readonly name = 'InvalidProperties';
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
