import {
  answerFor, chunkText, faultForStreamException, guardrailTraceFor, stopReasonFor, streamExceptionMessage, usageFor,
} from './bedrock-answer';
import type { ResolvedBedrockBehaviour } from './bedrock-behaviour';
import { cutConnection, type EmulatorResponse } from './bedrock-listener';
import { ClientWatch, finish } from './bedrock-pacing';
import { type BedrockRequestRecord, monotonicMs } from './bedrock-request';
import { writeAwsError, writeJson } from './bedrock-wire';

/**
 * Answers a Converse request (no stream) as Bedrock does: one JSON document with `output.message`, `stopReason`,
 * `usage`, `metrics` and, for a traced guardrail intervention, `trace`; after the time the streamed answer would take
 * (first-token delay plus the inter-token delays). A scripted stream exception becomes the matching HTTP error, a cut
 * closes the connection before any response.
 */
export async function answerConverse(res: EmulatorResponse, record: BedrockRequestRecord, behaviour: ResolvedBedrockBehaviour): Promise<void> {
  if (behaviour.fault) {
    writeAwsError(res, behaviour.fault);
    return finish(record, 'fault');
  }
  const client = new ClientWatch(res);
  const answer = answerFor(record, behaviour);
  const chunks = chunkText(answer, behaviour.chunkSize);
  await client.pause(behaviour.firstTokenDelayMs + behaviour.interTokenDelayMs * (chunks.length - 1));
  if (client.gone) return finish(record, 'client-closed');
  if (behaviour.cut) {
    finish(record, 'cut');
    return cutConnection(res);
  }
  if (behaviour.streamException) {
    const { type, message } = behaviour.streamException;
    writeAwsError(res, faultForStreamException(type, message ?? streamExceptionMessage(type)));
    return finish(record, 'stream-exception');
  }
  const trace = guardrailTraceFor(record, behaviour.guardrail);
  record.firstTokenAt = Date.now();
  record.firstTokenAtMonotonicMs = monotonicMs();
  record.chunksSent = chunks.length;
  writeJson(res, {
    output: { message: { role: 'assistant', content: [{ text: answer }] } },
    stopReason: stopReasonFor(behaviour),
    usage: usageFor(record, answer, behaviour),
    metrics: { latencyMs: behaviour.latencyMs ?? Date.now() - record.receivedAt },
    ...(trace ? { trace } : {}),
  });
  finish(record, behaviour.guardrail ? 'guardrail-intervened' : 'completed');
}
