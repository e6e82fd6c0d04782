import type { BedrockFault, BedrockGuardrailIntervention, BedrockStreamExceptionType, ResolvedBedrockBehaviour } from './bedrock-behaviour';
import type { BedrockContentBlock, BedrockRequestRecord } from './bedrock-request';

/** The guardrail's message when an intervention names none. */
export const DEFAULT_GUARDRAIL_MESSAGE = 'Sorry, I can\'t help with that request.';

/** The text of the last user message of a request (its text blocks joined), or '' when there is none. */
export function lastUserText(request: BedrockRequestRecord): string {
  const last = [...request.messages].reverse().find((m) => m.role === 'user');
  return textOf(last?.content ?? []);
}

/**
 * The default answer: deterministic text from the model id and the last user message, so a test can compute what to
 * expect and two calls with the same prompt get the same answer.
 */
export function defaultAnswer(request: BedrockRequestRecord): string {
  const [source] = qualifiedTexts(request, 'grounding_source');
  if (source !== undefined) return groundedAnswer(request.modelId, source);
  const question = lastUserText(request).replace(/\s+/g, ' ').trim();
  const quoted = question.length > 80 ? `${question.slice(0, 77)}...` : question;
  return `[${request.modelId}] Thanks for your message. You asked: "${quoted}". Here is an emulated answer.`;
}

/**
 * The default answer of a request with grounding sources: the first source's first sentence, cited by the heading's
 * number (`[1] Title` on its first line, as the tenant numbers its passages), so a local run shows an answer taken from
 * the passages. Deterministic, not a model's reading of them.
 */
function groundedAnswer(modelId: string, source: string): string {
  const [heading, ...rest] = source.split('\n');
  const number = /^\[(\d+)\]/.exec(heading)?.[1];
  // The passage's own markdown headings are not part of its first sentence.
  const lines = rest.filter((line) => !/^\s*#/.test(line));
  const body = (lines.length > 0 ? lines.join(' ') : heading).replace(/\s+/g, ' ').trim();
  const sentence = /^.*?[.!?。！？](?=\s|$)/u.exec(body)?.[0] ?? body;
  const quoted = sentence.length > 200 ? `${sentence.slice(0, 197)}...` : sentence;
  return `[${modelId}] ${quoted}${number ? ` [${number}]` : ''}`;
}

/** The answer text a behaviour gives for a request: the guardrail's message, the scripted text or the default. */
export function answerFor(request: BedrockRequestRecord, behaviour: ResolvedBedrockBehaviour): string {
  if (behaviour.guardrail) return behaviour.guardrail.message ?? DEFAULT_GUARDRAIL_MESSAGE;
  if (typeof behaviour.answer === 'function') return behaviour.answer(request);
  return behaviour.answer ?? defaultAnswer(request);
}

/** `text` in chunks of `size` code points (never splitting a character), at least one chunk for an empty text. */
export function chunkText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += size) chunks.push(chars.slice(i, i + size).join(''));
  return chunks.length > 0 ? chunks : [''];
}

/** A rough token count: about 4 characters a token, at least 1 for any text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** The `usage` object: scripted figures where given, estimates from the request's and the answer's text otherwise. */
export function usageFor(request: BedrockRequestRecord, answer: string, behaviour: ResolvedBedrockBehaviour): Record<string, number> {
  const prompt = [...(request.system ?? []).map((b) => b.text ?? ''), ...request.messages.map((m) => textOf(m.content))].join('\n');
  const inputTokens = behaviour.usage?.inputTokens ?? estimateTokens(prompt);
  const outputTokens = behaviour.usage?.outputTokens ?? estimateTokens(answer);
  const cache = {
    ...(behaviour.usage?.cacheReadInputTokens !== undefined ? { cacheReadInputTokens: behaviour.usage.cacheReadInputTokens } : {}),
    ...(behaviour.usage?.cacheWriteInputTokens !== undefined ? { cacheWriteInputTokens: behaviour.usage.cacheWriteInputTokens } : {}),
  };
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, ...cache };
}

/** The stop reason: `guardrail_intervened` for an intervention, the behaviour's otherwise. */
export function stopReasonFor(behaviour: ResolvedBedrockBehaviour): string {
  return behaviour.guardrail ? 'guardrail_intervened' : behaviour.stopReason;
}

/**
 * The `trace` object of an intervention (`{guardrail: ...}`): the scripted one, or, when the request asked for a trace
 * (`guardrailConfig.trace` enabled), a topic-policy block under the request's guardrail id; undefined otherwise.
 */
export function guardrailTraceFor(request: BedrockRequestRecord, intervention: BedrockGuardrailIntervention | undefined) {
  if (!intervention) return undefined;
  if (intervention.trace) return { guardrail: intervention.trace };
  const traceMode = request.guardrailConfig?.trace;
  if (traceMode !== 'enabled' && traceMode !== 'enabled_full') return undefined;
  const id = String(request.guardrailConfig?.guardrailIdentifier ?? 'guardrail');
  if (intervention.grounding) {
    return { guardrail: { outputAssessments: { [id]: [{ contextualGroundingPolicy: groundingAssessment(intervention.grounding) }] }, actionReason: 'Guardrail blocked.' } };
  }
  const assessment = { topicPolicy: { topics: [{ name: 'Denied topic', type: 'DENY', action: 'BLOCKED', detected: true }] } };
  return {
    guardrail: (intervention.source ?? 'input') === 'input'
      ? { inputAssessment: { [id]: assessment }, actionReason: 'Guardrail blocked.' }
      : { outputAssessments: { [id]: [assessment] }, actionReason: 'Guardrail blocked.' },
  };
}

/**
 * The contextual grounding filters of a grounding intervention's trace (`GuardrailContextualGroundingPolicyAssessment`):
 * a `GROUNDING` and a `RELEVANCE` filter with their scores against the threshold, `BLOCKED` where the score is below it.
 */
export function groundingAssessment(grounding: NonNullable<BedrockGuardrailIntervention['grounding']>) {
  const threshold = grounding.threshold ?? 0.75;
  const filter = (type: 'GROUNDING' | 'RELEVANCE', score: number) => ({
    type, threshold, score, action: score < threshold ? 'BLOCKED' : 'NONE', detected: score < threshold,
  });
  return { filters: [filter('GROUNDING', grounding.groundingScore ?? 0.1), filter('RELEVANCE', grounding.relevanceScore ?? 0.9)] };
}

/**
 * The text the guardrail evaluates as input: the text of the `guardContent` blocks of the messages and the system prompt
 * when the request has any (only those), else the text of every message. Of the guarded blocks, those qualified only
 * `grounding_source` or `query` (no `guard_content`) are the contextual grounding check's alone and left out.
 */
export function guardedInput(request: BedrockRequestRecord): string {
  const blocks = [...(request.system ?? []), ...request.messages.flatMap((m) => m.content)];
  const guardedBlocks = blocks.filter((b) => guardedText(b) !== undefined);
  if (guardedBlocks.length === 0) return request.messages.map((m) => textOf(m.content)).join('\n');
  return guardedBlocks.filter((b) => {
    const qualifiers = qualifiersOf(b);
    return qualifiers.length === 0 || qualifiers.includes('guard_content');
  }).map((b) => guardedText(b)!).join('\n');
}

/** The `qualifiers` of a `guardContent` block (`grounding_source`, `query`, `guard_content`); [] for none or another block. */
export function qualifiersOf(block: BedrockContentBlock): string[] {
  const qualifiers = (block.guardContent as { text?: { qualifiers?: unknown } } | undefined)?.text?.qualifiers;
  return Array.isArray(qualifiers) ? qualifiers.filter((q): q is string => typeof q === 'string') : [];
}

/** The text of the request's `guardContent` blocks qualified `qualifier`, in order (the grounding sources, the query). */
export function qualifiedTexts(request: BedrockRequestRecord, qualifier: 'grounding_source' | 'query'): string[] {
  return [...(request.system ?? []), ...request.messages.flatMap((m) => m.content)]
    .filter((b) => qualifiersOf(b).includes(qualifier)).map((b) => guardedText(b)!);
}

/**
 * The behaviour without its grounding intervention when the request gives the check nothing to work on: the contextual
 * grounding check needs a grounding source and a query; without both, Bedrock runs no grounding check.
 */
export function applyGroundingScope(request: BedrockRequestRecord, behaviour: ResolvedBedrockBehaviour): ResolvedBedrockBehaviour {
  if (!behaviour.guardrail?.grounding) return behaviour;
  const checked = request.guardrailConfig && qualifiedTexts(request, 'grounding_source').length > 0 && qualifiedTexts(request, 'query').length > 0;
  return checked ? behaviour : { ...behaviour, guardrail: undefined };
}

/** The behaviour with an input intervention when the request has a guardrail and its input policy blocks what it evaluates. */
export function applyInputPolicy(request: BedrockRequestRecord, behaviour: ResolvedBedrockBehaviour): ResolvedBedrockBehaviour {
  const policy = behaviour.inputPolicy;
  if (!policy || behaviour.guardrail || !request.guardrailConfig) return behaviour;
  policy.blocks.lastIndex = 0;
  if (!policy.blocks.test(guardedInput(request))) return behaviour;
  return { ...behaviour, guardrail: { source: 'input', message: policy.message } };
}

/** The service's message for an exception sent inside the stream. */
export function streamExceptionMessage(type: BedrockStreamExceptionType): string {
  return {
    throttlingException: 'Too many requests, please wait before trying again.',
    modelStreamErrorException: 'The model stream encountered an error.',
    serviceUnavailableException: 'The service is temporarily unavailable.',
    internalServerException: 'The server encountered an internal error.',
    validationException: 'The input is invalid.',
  }[type];
}

/** The HTTP error Converse (no stream) answers with where ConverseStream would send `type` inside the stream. */
export function faultForStreamException(type: BedrockStreamExceptionType, message: string): BedrockFault {
  const [status, errorType] = {
    throttlingException: [429, 'ThrottlingException'],
    modelStreamErrorException: [424, 'ModelErrorException'],
    serviceUnavailableException: [503, 'ServiceUnavailableException'],
    internalServerException: [500, 'InternalServerException'],
    validationException: [400, 'ValidationException'],
  }[type] as [number, string];
  return { status, errorType, message };
}

/** The text of content blocks: text blocks and the text of `guardContent` blocks (the model reads both), joined. */
export function textOf(blocks: readonly BedrockContentBlock[]): string {
  return blocks.map((b) => (typeof b.text === 'string' ? b.text : guardedText(b) ?? '')).join('');
}

/** The text of a `guardContent` block (`{guardContent: {text: {text}}}`), or undefined for any other block. */
export function guardedText(block: BedrockContentBlock): string | undefined {
  const text = (block.guardContent as { text?: { text?: unknown } } | undefined)?.text?.text;
  return typeof text === 'string' ? text : undefined;
}
