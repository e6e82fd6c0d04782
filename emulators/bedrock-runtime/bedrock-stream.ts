import {
  answerFor, chunkText, guardrailTraceFor, stopReasonFor, streamExceptionMessage, usageFor,
} from './bedrock-answer';
import type { ResolvedBedrockBehaviour } from './bedrock-behaviour';
import { cutConnection, type EmulatorResponse, writeBytes } from './bedrock-listener';
import { ClientWatch, finish } from './bedrock-pacing';
import { type BedrockRequestRecord, monotonicMs } from './bedrock-request';
import { baseHeaders, EVENT_STREAM_CONTENT_TYPE, eventFrame, exceptionFrame, writeAwsError } from './bedrock-wire';

/** Counts the streams open at once. */
export interface StreamCounter {
  opened(): void;
  closed(): void;
}

/**
 * Answers a ConverseStream request as Bedrock does: status 200 with an event stream of `messageStart`, the text in
 * `contentBlockDelta` events (block 0), `contentBlockStop`, `messageStop` and `metadata` (usage, metrics, trace), paced
 * by the behaviour; or a fault before the stream, an exception event inside it, or a cut connection.
 */
export async function answerConverseStream(
  res: EmulatorResponse, record: BedrockRequestRecord, behaviour: ResolvedBedrockBehaviour, counter: StreamCounter,
): Promise<void> {
  if (behaviour.fault) {
    writeAwsError(res, behaviour.fault);
    finish(record, 'fault');
    return;
  }
  const answer = answerFor(record, behaviour);
  const chunks = chunkText(answer, behaviour.chunkSize);
  const client = new ClientWatch(res);
  counter.opened();
  try {
    // Headers and messageStart go out at once, as the service's do: the SDK's send() resolves here, before the first token.
    res.writeHead(200, { ...baseHeaders(), 'content-type': EVENT_STREAM_CONTENT_TYPE });
    writeBytes(res, eventFrame('messageStart', { role: 'assistant' }));
    for (let i = 0; i <= chunks.length; i++) {
      await client.pause(i === 0 ? behaviour.firstTokenDelayMs : i < chunks.length ? behaviour.interTokenDelayMs : 0);
      if (client.gone) return finish(record, 'client-closed');
      if (await interrupt(res, record, behaviour, i, chunks)) return;
      if (i === chunks.length) break;
      writeBytes(res, eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: chunks[i] } }));
      record.firstTokenAt ??= Date.now();
      record.firstTokenAtMonotonicMs ??= monotonicMs();
      record.chunksSent++;
    }
    writeBytes(res, eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
    writeBytes(res, eventFrame('messageStop', { stopReason: stopReasonFor(behaviour) }));
    const trace = guardrailTraceFor(record, behaviour.guardrail);
    res.end(eventFrame('metadata', {
      usage: usageFor(record, answer, behaviour),
      metrics: { latencyMs: behaviour.latencyMs ?? Date.now() - record.receivedAt },
      ...(trace ? { trace } : {}),
    }));
    finish(record, behaviour.guardrail ? 'guardrail-intervened' : 'completed');
  } finally {
    counter.closed();
  }
}

/**
 * Sends the scripted exception or cuts the connection when `sent` chunks have gone out (a count past the answer's
 * chunks means after the last one, before `contentBlockStop`); true when it did.
 */
async function interrupt(
  res: EmulatorResponse, record: BedrockRequestRecord, behaviour: ResolvedBedrockBehaviour, sent: number, chunks: readonly string[],
): Promise<boolean> {
  const total = chunks.length;
  const next = chunks[sent];
  const exception = behaviour.streamException;
  if (exception && Math.min(exception.afterChunks, total) === sent) {
    const message = exception.message ?? streamExceptionMessage(exception.type);
    const payload = exception.type === 'modelStreamErrorException'
      ? { message, originalStatusCode: 500, originalMessage: message }
      : { message };
    res.end(exceptionFrame(exception.type, payload));
    finish(record, 'stream-exception');
    return true;
  }
  const cut = behaviour.cut;
  if (cut && Math.min(cut.afterChunks, total) === sent) {
    if (cut.partialFrame) {
      const frame = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: next ?? '' } });
      writeBytes(res, frame.subarray(0, Math.floor(frame.length / 2)));
    }
    finish(record, 'cut');
    await cutConnection(res);
    return true;
  }
  return false;
}
