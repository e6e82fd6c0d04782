import { type BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import type { Options } from './options';
import { QUESTIONS } from './questions';
import { onSchedule } from './schedule';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import { LABEL_CLASS } from '../../../workloads/support-chat/chat/handlers/lib/router';
import type { ChatLocal } from '../../../workloads/support-chat/local/chat-local';
import { localLabel } from '../../../workloads/support-chat/local/local-classifier';

/*
 * The baseline: the same sessions count of loops on the same schedule, each calling ConverseStream with the real
 * `@aws-sdk/client-bedrock-runtime` (default settings: standard retry mode, 3 attempts, its own backoff for throttling) on
 * the same emulator process with the same pacing and the same throttled fraction, one user message and no history. Its
 * overhead (end to end minus model time, SDK retry sleeps excluded) is the floor of measuring a model call this way.
 * Figures are compared for all calls and for unthrottled ones only (no model request throttled: like for like, without
 * the two retry policies' difference).
 */

export interface BaselineCall {
  readonly tag: string;
  readonly sentMs: number;
  firstChunkMs?: number;
  endMs?: number;
  error?: string;
  attempts?: number;
  /** What the SDK says it slept between attempts. */
  sdkRetryDelayMs?: number;
  chunks: number;
}

/** The answer's system prompt (as the turn sends it) over one user message: a bare ConverseStream. */
const BASELINE_SYSTEM = 'You are the customer-support assistant of an online shop. Answer in the language of the customer\'s last message. '
  + 'Be brief and concrete. If you cannot help, say so and offer to hand over to a human agent.';

export async function bareConverseStream(client: BedrockRuntimeClient, chat: ChatLocal, tag: string, question: string): Promise<BaselineCall> {
  const modelId = LABEL_CLASS[localLabel(question)] === 'simple' ? chat.models.fast : chat.models.capable;
  const call: BaselineCall = { tag, sentMs: monotonicMs(), chunks: 0 };
  try {
    const response = await client.send(new ConverseStreamCommand({
      modelId,
      system: [{ text: BASELINE_SYSTEM }],
      messages: [{ role: 'user', content: [{ text: `[${tag}] ${question}` }] }],
      inferenceConfig: { maxTokens: 1024 },
      guardrailConfig: { guardrailIdentifier: chat.guardrail.identifier, guardrailVersion: chat.guardrail.version, streamProcessingMode: 'sync' },
    }));
    for await (const event of response.stream ?? []) {
      if (event.contentBlockDelta?.delta?.text) {
        call.firstChunkMs ??= monotonicMs();
        call.chunks++;
      }
    }
    call.endMs = monotonicMs();
    call.attempts = response.$metadata.attempts;
    call.sdkRetryDelayMs = response.$metadata.totalRetryDelay;
  } catch (error) {
    call.endMs = monotonicMs();
    const e = error as { name?: string; $metadata?: { attempts?: number; totalRetryDelay?: number } };
    call.error = e.name ?? String(error);
    call.attempts = e.$metadata?.attempts;
    call.sdkRetryDelayMs = e.$metadata?.totalRetryDelay;
  }
  return call;
}

/** The baseline on the sessions' schedule (`onSchedule`): `sessions` loops, one call per slot, never two in flight per loop. */
export async function baselineRun(client: BedrockRuntimeClient, chat: ChatLocal, opts: Options, seconds: number): Promise<BaselineCall[]> {
  return onSchedule(opts.sessions, monotonicMs() + 200, seconds, opts.rate, (i, k) =>
    bareConverseStream(client, chat, `bench-b-s${i}-m${k}`, QUESTIONS[(i + k) % QUESTIONS.length]));
}
