import { ConverseCommand, ConverseStreamCommand, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { ChatSettings } from './chat-settings';
import type { FrameUsage } from './frames';
import { type selectHistory, toConverseMessages } from './history';
import { GuardrailIntervenedError } from './resilience';
import { buildClassifierRequest, classifyResponse, type QuestionClass } from './router';
import type { TurnDependencies } from '../turn-core';

/* The turn's two model calls: the classifier's Converse and the answer's ConverseStream, both with the guardrail. */

/** What a model call needs of the turn's dependencies: the Bedrock client and the guardrail every call carries. */
export type ModelAccess = Pick<TurnDependencies, 'bedrock' | 'guardrail'>;

/** Thrown inside an attempt once text has reached the client: the chain must not restart the answer on another model. */
export class StreamedThenFailed extends Error {
  constructor(readonly cause: unknown) {
    super('the stream failed after text was sent');
  }
}

/** Streams one answer; a stream that ends without `messageStop` failed (a connection cut can end it silently). */
export async function streamAnswer(
  profile: string, messages: ReturnType<typeof selectHistory>['messages'], settings: ChatSettings, deps: ModelAccess, maxTokens: number,
  remainingMs: number,
  onText: (delta: string) => Promise<void>,
): Promise<{ usage?: FrameUsage; stopReason?: string }> {
  // The turn's deadline holds inside a call too: the SDK aborts the request and its stream when it passes.
  const abortSignal = AbortSignal.timeout(Math.max(1, remainingMs));
  const response = await deps.bedrock.send(new ConverseStreamCommand({
    modelId: profile,
    system: [{ text: settings.prompts.answer.system }],
    messages: toConverseMessages(messages),
    inferenceConfig: { maxTokens },
    guardrailConfig: { guardrailIdentifier: deps.guardrail.identifier, guardrailVersion: deps.guardrail.version, streamProcessingMode: 'sync' },
  }), { abortSignal });
  let sent = false;
  let stopReason: string | undefined;
  let usage: FrameUsage | undefined;
  try {
    for await (const event of response.stream ?? ([] as ConverseStreamOutput[])) {
      const delta = event.contentBlockDelta?.delta?.text;
      if (delta) {
        sent = true;
        await onText(delta);
      }
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata?.usage) {
        const u = event.metadata.usage;
        usage = { inputTokens: u.inputTokens ?? 0, outputTokens: u.outputTokens ?? 0, totalTokens: u.totalTokens ?? 0 };
      }
    }
    if (stopReason === undefined) throw Object.assign(new Error('the model stream ended without messageStop'), { name: 'ModelStreamErrorException' });
  } catch (error) {
    if (sent) throw new StreamedThenFailed(error);
    throw error;
  }
  if (stopReason === 'guardrail_intervened' && !sent) throw new GuardrailIntervenedError('the guardrail intervened before any text');
  return { usage, stopReason };
}

/** The classifier's call and the tokens it used; anything unusable counts as complex. */
export async function classify(
  question: string, settings: ChatSettings, deps: ModelAccess,
): Promise<{ questionClass: QuestionClass; tokens: number }> {
  try {
    const { classifier: modelId } = settings.models;
    const request = buildClassifierRequest(question, { modelId, guardrail: deps.guardrail, prompt: settings.prompts.router });
    const response = await deps.bedrock.send(new ConverseCommand(request));
    return { questionClass: classifyResponse(response).questionClass, tokens: response.usage?.totalTokens ?? 0 };
  } catch {
    return { questionClass: 'complex', tokens: 0 };
  }
}
