import { ApplyGuardrailCommand, type ApplyGuardrailCommandOutput, type BedrockRuntimeClient, type GuardrailAssessment } from '@aws-sdk/client-bedrock-runtime';

/*
 * The customer's message with its PII anonymised before the turn stores it or sends it to a model
 * (docs/adr/0029-support-chat-privacy-erasure-and-what-the-archive-keeps.md, decision 2;
 * docs/adr/0036-support-chat-redaction-in-the-turn-fails-closed.md): `ApplyGuardrail` with source `INPUT` and the
 * organization guardrail, whose sensitive-information policy replaces each ANONYMIZE entity with `{TYPE}` (`{EMAIL}`,
 * `{PHONE}` …) in `outputs[].text` (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-independent-api.html,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-sensitive-filters.html).
 */

/** What the redaction made of a message. */
export type Redaction =
  /** The text to store and send: anonymised where the guardrail masked, else as written. */
  | { readonly kind: 'redacted'; readonly text: string; readonly masked: boolean; readonly guardedCharacters: number }
  /** A policy of the guardrail blocked the message (a BLOCK PII entity, a content filter, a denied topic, a word). */
  | { readonly kind: 'blocked'; readonly guardedCharacters: number }
  /** The guardrail did not answer usably in time (an error, a timeout, an intervention without text): nothing may be stored. */
  | { readonly kind: 'failed'; readonly error: unknown };

/** Where the redaction sends the text: the Bedrock client and the guardrail every call of the turn carries. */
export interface RedactionAccess {
  readonly bedrock: BedrockRuntimeClient;
  readonly guardrail: { readonly identifier: string; readonly version: string };
}

/** Thrown (as the `failed` redaction's error) for an answer the redaction cannot use. */
export class UnusableRedactionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableRedactionError';
  }
}

/**
 * Sends `text` to `ApplyGuardrail` (source `INPUT`) and says what to store: the anonymised text on `GUARDRAIL_INTERVENED`
 * without a block, the text as written on `NONE`, `blocked` when any policy's action is `BLOCKED`. Aborted after
 * `timeoutMs` or at `signal`. Never throws: an error, a timeout or an answer it cannot read is `failed`, and the caller
 * stores nothing (fail closed).
 */
export async function redactInput(text: string, access: RedactionAccess, timeoutMs: number, signal?: AbortSignal): Promise<Redaction> {
  try {
    const abortSignal = AbortSignal.any([AbortSignal.timeout(Math.max(1, timeoutMs)), ...(signal ? [signal] : [])]);
    const response = await access.bedrock.send(new ApplyGuardrailCommand({
      guardrailIdentifier: access.guardrail.identifier,
      guardrailVersion: access.guardrail.version,
      source: 'INPUT',
      content: [{ text: { text } }],
    }), { abortSignal });
    return readRedaction(text, response);
  } catch (error) {
    return { kind: 'failed', error };
  }
}

/** The redaction an `ApplyGuardrail` answer gives for `text` (exported for its tests). */
export function readRedaction(text: string, response: Pick<ApplyGuardrailCommandOutput, 'action' | 'outputs' | 'assessments'>): Redaction {
  const guardedCharacters = text.length;
  if (response.action === 'NONE') return { kind: 'redacted', text, masked: false, guardedCharacters };
  if (response.action !== 'GUARDRAIL_INTERVENED') {
    return { kind: 'failed', error: new UnusableRedactionError(`ApplyGuardrail answered the action ${String(response.action)}`) };
  }
  if ((response.assessments ?? []).some(blocks)) return { kind: 'blocked', guardedCharacters };
  // An intervention that neither blocks nor anonymises is one this reading does not know: nothing is stored.
  if (!(response.assessments ?? []).some(anonymises)) {
    return { kind: 'failed', error: new UnusableRedactionError('ApplyGuardrail intervened without a block and without an anonymised entity') };
  }
  const outputs = response.outputs ?? [];
  const masked = outputs.length === 1 ? outputs[0].text : undefined;
  if (typeof masked !== 'string' || masked.trim().length === 0) {
    return { kind: 'failed', error: new UnusableRedactionError(`ApplyGuardrail intervened without a block and with ${outputs.length} outputs`) };
  }
  return { kind: 'redacted', text: masked, masked: true, guardedCharacters };
}

/** Whether an assessment of the guardrail anonymised a PII entity or a regex match. */
function anonymises(assessment: GuardrailAssessment): boolean {
  const { piiEntities = [], regexes = [] } = assessment.sensitiveInformationPolicy ?? {};
  return [...piiEntities, ...regexes].some((entry: { action?: string }) => entry.action === 'ANONYMIZED');
}

/** Whether an assessment of the guardrail blocked the text: any policy entry whose action is `BLOCKED`. */
function blocks(assessment: GuardrailAssessment): boolean {
  const entries: { action?: string }[] = [
    ...(assessment.topicPolicy?.topics ?? []),
    ...(assessment.contentPolicy?.filters ?? []),
    ...(assessment.wordPolicy?.customWords ?? []),
    ...(assessment.wordPolicy?.managedWordLists ?? []),
    ...(assessment.sensitiveInformationPolicy?.piiEntities ?? []),
    ...(assessment.sensitiveInformationPolicy?.regexes ?? []),
    ...(assessment.contextualGroundingPolicy?.filters ?? []),
  ];
  return entries.some((entry) => entry.action === 'BLOCKED');
}
