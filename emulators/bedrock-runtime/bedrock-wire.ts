import { randomUUID } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { EmulatorResponse } from './bedrock-listener';

/** The events of a ConverseStream response, by their `:event-type`. */
export type ConverseStreamEventType = 'messageStart' | 'contentBlockStart' | 'contentBlockDelta' | 'contentBlockStop' | 'messageStop' | 'metadata';

/** The content type of an AWS event stream. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** `x-amzn-ErrorType` carries the exception name and, after a colon, the service's namespace URL; clients keep the part before it. */
const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One event of an AWS event stream (`:message-type` event), its payload JSON, framed with prelude and CRCs. */
export function eventFrame(eventType: ConverseStreamEventType, payload: Record<string, unknown>): Uint8Array {
  return jsonFrame('event', ':event-type', eventType, payload);
}

/** A modeled exception inside an AWS event stream (`:message-type` exception, `:exception-type` the union member's name). */
export function exceptionFrame(exceptionType: string, payload: Record<string, unknown>): Uint8Array {
  return jsonFrame('exception', ':exception-type', exceptionType, payload);
}

function jsonFrame(messageType: 'event' | 'exception', typeHeader: ':event-type' | ':exception-type', type: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      [typeHeader]: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: messageType },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** Headers every response carries: a request id (the SDK reports it as `$metadata.requestId`). */
export function baseHeaders(): Record<string, string> {
  return { 'x-amzn-requestid': randomUUID(), 'date': new Date().toUTCString() };
}

/**
 * Answers with an AWS REST-JSON error, as the SDK's `AwsRestJsonProtocol` reads it: the exception name from the
 * `x-amzn-ErrorType` header (the part before `:`), `message` from the JSON body, the status into `$metadata.httpStatusCode`.
 */
export function writeAwsError(res: EmulatorResponse, error: { status: number; errorType: string; message: string }): void {
  const body = JSON.stringify({ message: error.message });
  res.writeHead(error.status, {
    ...baseHeaders(),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': `${error.errorType}${ERROR_TYPE_SUFFIX}`,
  }).end(body);
}

/** Answers with a JSON document (status 200). */
export function writeJson(res: EmulatorResponse, document: Record<string, unknown>): void {
  const body = JSON.stringify(document);
  res.writeHead(200, { ...baseHeaders(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
