import { randomUUID } from 'node:crypto';
import { chunkText, usageFor } from './bedrock-answer';
import type { ResolvedBedrockBehaviour } from './bedrock-behaviour';
import { type EmulatorResponse, writeBytes } from './bedrock-listener';
import { ClientWatch, finish } from './bedrock-pacing';
import type { BedrockContentBlock, BedrockRequestRecord } from './bedrock-request';
import type { StreamCounter } from './bedrock-stream';
import type { BedrockToolUse } from './bedrock-tool-call';
import { baseHeaders, EVENT_STREAM_CONTENT_TYPE, eventFrame, writeAwsError } from './bedrock-wire';

/*
 * Converse tool use in the emulator (https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html):
 * a behaviour with `toolUse` answers a ConverseStream request the way a model that calls tools does: optional text in
 * block 0, then per call a block opened by `contentBlockStart` (`start.toolUse`: `toolUseId`, `name`), its input as JSON
 * text in `contentBlockDelta` events (`delta.toolUse.input`, in pieces of `chunkSize` characters), `contentBlockStop`;
 * then `messageStop` with `stopReason: "tool_use"` and `metadata`
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ContentBlockStartEvent.html,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolUseBlockDelta.html). A script answers the next
 * request (the one carrying the `toolResult` blocks, read with `toolResultsOf`) with text. Scripted, not a model's choice.
 */

/** A `toolResult` block of a request, as the emulator read it. */
export interface BedrockToolResult {
  readonly toolUseId: string;
  readonly status?: string;
  /** The `json` of its content blocks, in order. */
  readonly json: readonly unknown[];
  /** The `text` of its content blocks, in order. */
  readonly text: readonly string[];
}

/** The `toolResult` blocks of the request's last message (the results the model is answering from); [] for none. */
export function toolResultsOf(request: BedrockRequestRecord): BedrockToolResult[] {
  const last = request.messages.at(-1);
  if (last?.role !== 'user') return [];
  return last.content.flatMap((block) => {
    const result = block.toolResult as { toolUseId?: unknown; status?: unknown; content?: unknown } | undefined;
    if (!result || typeof result.toolUseId !== 'string') return [];
    const content = Array.isArray(result.content) ? (result.content as BedrockContentBlock[]) : [];
    return [{
      toolUseId: result.toolUseId,
      status: typeof result.status === 'string' ? result.status : undefined,
      json: content.filter((c) => c.json !== undefined).map((c) => c.json),
      text: content.filter((c) => typeof c.text === 'string').map((c) => c.text as string),
    }];
  });
}

/** How many tool rounds the request already carries (its assistant messages with `toolUse` blocks). */
export function toolRoundsOf(request: BedrockRequestRecord): number {
  return request.messages.filter((m) => m.role === 'assistant' && m.content.some((b) => b.toolUse !== undefined)).length;
}

/**
 * The service's check that a request with `toolUse` or `toolResult` blocks defines `toolConfig` (a `ValidationException`
 * otherwise); undefined when the request passes.
 */
export function toolConfigProblem(body: Record<string, unknown> | undefined): string | undefined {
  const messages = Array.isArray(body?.messages) ? (body.messages as { content?: unknown }[]) : [];
  const usesTools = messages.some((m) => Array.isArray(m.content)
    && (m.content as BedrockContentBlock[]).some((b) => b.toolUse !== undefined || b.toolResult !== undefined));
  if (usesTools && body?.toolConfig === undefined) return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
  return undefined;
}

/** Answers a ConverseStream request with the behaviour's tool calls (see the module comment). */
export async function answerToolUseStream(
  res: EmulatorResponse, record: BedrockRequestRecord, behaviour: ResolvedBedrockBehaviour & { readonly toolUse: BedrockToolUse },
  counter: StreamCounter,
): Promise<void> {
  if (behaviour.fault) {
    writeAwsError(res, behaviour.fault);
    finish(record, 'fault');
    return;
  }
  const { text, calls } = behaviour.toolUse;
  const client = new ClientWatch(res);
  counter.opened();
  try {
    res.writeHead(200, { ...baseHeaders(), 'content-type': EVENT_STREAM_CONTENT_TYPE });
    writeBytes(res, eventFrame('messageStart', { role: 'assistant' }));
    await client.pause(behaviour.firstTokenDelayMs);
    if (client.gone) return finish(record, 'client-closed');
    let index = 0;
    if (text) {
      for (const chunk of chunkText(text, behaviour.chunkSize)) {
        writeBytes(res, eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: chunk } }));
        record.chunksSent++;
      }
      writeBytes(res, eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
      index = 1;
    }
    record.firstTokenAt ??= Date.now();
    let inputs = '';
    for (const call of calls) {
      const toolUseId = call.toolUseId ?? `tooluse_${randomUUID().replace(/-/g, '').slice(0, 22)}`;
      writeBytes(res, eventFrame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId, name: call.name } } }));
      const input = call.rawInput ?? JSON.stringify(call.input ?? {});
      inputs += input;
      for (const piece of chunkText(input, behaviour.chunkSize)) {
        if (piece) writeBytes(res, eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: piece } } }));
      }
      writeBytes(res, eventFrame('contentBlockStop', { contentBlockIndex: index }));
      index++;
    }
    writeBytes(res, eventFrame('messageStop', { stopReason: 'tool_use' }));
    res.end(eventFrame('metadata', {
      usage: usageFor(record, `${text ?? ''}${inputs}`, behaviour),
      metrics: { latencyMs: behaviour.latencyMs ?? Date.now() - record.receivedAt },
    }));
    finish(record, 'completed');
  } finally {
    counter.closed();
  }
}
