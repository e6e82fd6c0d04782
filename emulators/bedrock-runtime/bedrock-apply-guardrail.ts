import type { BedrockFault } from './bedrock-behaviour';
import type { EmulatorResponse } from './bedrock-listener';
import { ClientWatch } from './bedrock-pacing';
import { writeAwsError, writeJson } from './bedrock-wire';

/*
 * Bedrock Runtime's `ApplyGuardrail` as the emulator serves it (REST-JSON,
 * `POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`, body `{source, content: [{text: {text}}]}`):
 * a stand-in for the guardrail's sensitive-information policy only. It finds e-mail addresses, phone numbers and card
 * numbers with regular expressions (NOT Bedrock's detectors, which also find names, addresses and more, and may find
 * what these miss) and applies each entity's configured action: ANONYMIZE replaces the match with `{TYPE}` as Bedrock
 * writes it, BLOCK replaces the whole output with the blocked message. The response has Bedrock's shape (`action`,
 * `outputs`, `assessments[].sensitiveInformationPolicy.piiEntities`, `usage`, `guardrailCoverage`); no other policy
 * (content filters, denied topics, words, grounding) is evaluated.
 */

/** A PII entity type the emulator detects. */
export type EmulatedPiiType = 'EMAIL' | 'PHONE' | 'CREDIT_DEBIT_CARD_NUMBER';

/** One configured PII entity: what to find and what to do with it (`GuardrailPiiEntityConfig`). */
export interface EmulatedPiiEntity {
  readonly type: EmulatedPiiType;
  readonly action: 'BLOCK' | 'ANONYMIZE';
}

/**
 * The entities of the config's default guardrail for these three types (config/schema.ts `DEFAULT_PII`): e-mail and phone
 * anonymized, card numbers blocked.
 */
export const DEFAULT_EMULATED_PII: readonly EmulatedPiiEntity[] = [
  { type: 'EMAIL', action: 'ANONYMIZE' },
  { type: 'PHONE', action: 'ANONYMIZE' },
  { type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' },
];

/** The guardrail's blocked message when none is configured (the config's default `blockedInputMessaging`). */
export const DEFAULT_BLOCKED_INPUT_MESSAGE = 'This request is not allowed by the organization\'s AI use policy.';

/** Patterns, applied in this order (a card number is taken before its digits could read as a phone number). */
const PATTERNS: readonly [EmulatedPiiType, RegExp][] = [
  ['EMAIL', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g],
  ['CREDIT_DEBIT_CARD_NUMBER', /\b(?:\d[ -]?){12,18}\d\b/g],
  // International (+country code, then at least 8 digits and separators) or North American (555-123-4567): not a date.
  ['PHONE', /\+\d{1,3}[ .-]?\d[\d .-]{6,}\d|\b\d{3}[ .-]\d{3}[ .-]\d{4}\b/g],
];

/** How one `ApplyGuardrail` request is answered. */
export interface GuardrailBehaviour {
  /** Answer with this error instead. @default undefined */
  readonly fault?: BedrockFault;
  /** Milliseconds before the answer (a guardrail that hangs: longer than the caller waits). @default 0 */
  readonly delayMs?: number;
}

/** One `ApplyGuardrail` request, recorded for assertions. */
export interface GuardrailRequestRecord {
  readonly guardrailIdentifier: string;
  readonly guardrailVersion: string;
  readonly source?: unknown;
  /** The texts of the request's `content[].text.text`. */
  readonly texts: readonly string[];
  outcome: 'pending' | 'none' | 'anonymized' | 'blocked' | 'fault' | 'invalid' | 'client-closed';
}

/** The guardrail and version of an `ApplyGuardrail` path, or undefined for any other path. */
export function parseApplyGuardrailPath(path: string): { guardrailIdentifier: string; guardrailVersion: string } | undefined {
  const match = /^\/guardrail\/([^/?]+)\/version\/([^/?]+)\/apply(?:\?.*)?$/.exec(path);
  if (!match) return undefined;
  return { guardrailIdentifier: decodeURIComponent(match[1]), guardrailVersion: decodeURIComponent(match[2]) };
}

/** What the emulated policy makes of one text: the output and each entity found with the action taken. */
export function applyPiiEntities(text: string, entities: readonly EmulatedPiiEntity[]): {
  readonly output: string; readonly found: readonly { match: string; type: EmulatedPiiType; action: 'ANONYMIZED' | 'BLOCKED' }[];
} {
  const found: { match: string; type: EmulatedPiiType; action: 'ANONYMIZED' | 'BLOCKED' }[] = [];
  let output = text;
  for (const [type, pattern] of PATTERNS) {
    const entity = entities.find((e) => e.type === type);
    if (!entity) continue;
    output = output.replace(pattern, (match) => {
      found.push({ match, type, action: entity.action === 'BLOCK' ? 'BLOCKED' : 'ANONYMIZED' });
      return `{${type}}`;
    });
  }
  return { output, found };
}

/**
 * Answers one `ApplyGuardrail` request: a `ValidationException` (400) for a body without `source` `INPUT` or `OUTPUT`
 * or without text content; else `action` `NONE` with no outputs when nothing was found, `GUARDRAIL_INTERVENED` with
 * the anonymized text, or with `blockedMessage` when a BLOCK entity was found. `usage` counts one sensitive-information
 * text unit per 1,000 characters (rounded up) of each text.
 */
export async function answerApplyGuardrail(
  res: EmulatorResponse, body: Record<string, unknown> | undefined, record: GuardrailRequestRecord,
  options: { readonly entities: readonly EmulatedPiiEntity[]; readonly blockedMessage: string; readonly behaviour?: GuardrailBehaviour },
): Promise<void> {
  const client = new ClientWatch(res);
  await client.pause(options.behaviour?.delayMs ?? 0);
  if (client.gone) {
    record.outcome = 'client-closed';
    return;
  }
  if (options.behaviour?.fault) {
    writeAwsError(res, options.behaviour.fault);
    record.outcome = 'fault';
    return;
  }
  const source = body?.source;
  const content = Array.isArray(body?.content) ? (body.content as { text?: { text?: unknown } }[]) : undefined;
  if ((source !== 'INPUT' && source !== 'OUTPUT') || !content || content.length === 0 || content.some((c) => typeof c?.text?.text !== 'string')) {
    writeAwsError(res, { status: 400, errorType: 'ValidationException', message: 'Invalid input: source must be INPUT or OUTPUT and content must hold text blocks.' });
    record.outcome = 'invalid';
    return;
  }
  const results = record.texts.map((text) => applyPiiEntities(text, options.entities));
  const found = results.flatMap((r) => r.found);
  const blocked = found.some((f) => f.action === 'BLOCKED');
  const characters = record.texts.reduce((n, t) => n + t.length, 0);
  const units = record.texts.reduce((n, t) => n + Math.ceil(t.length / 1000), 0);
  record.outcome = found.length === 0 ? 'none' : blocked ? 'blocked' : 'anonymized';
  writeJson(res, {
    usage: {
      topicPolicyUnits: 0,
      contentPolicyUnits: 0,
      wordPolicyUnits: 0,
      sensitiveInformationPolicyUnits: units,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: 0,
    },
    action: found.length === 0 ? 'NONE' : 'GUARDRAIL_INTERVENED',
    ...(found.length === 0 ? {} : { actionReason: blocked ? 'Guardrail blocked.' : 'Guardrail masked.' }),
    outputs: found.length === 0 ? [] : blocked ? [{ text: options.blockedMessage }] : results.map((r) => ({ text: r.output })),
    assessments: found.length === 0 ? [{}] : [{
      sensitiveInformationPolicy: { piiEntities: found.map((f) => ({ ...f, detected: true })), regexes: [] },
    }],
    guardrailCoverage: { textCharacters: { guarded: characters, total: characters } },
  });
}

/** The texts of a body's `content[].text.text` (the strings only), for the record. */
export function guardedTexts(body: Record<string, unknown> | undefined): string[] {
  const content = Array.isArray(body?.content) ? (body.content as { text?: { text?: unknown } }[]) : [];
  return content.map((c) => c?.text?.text).filter((t): t is string => typeof t === 'string');
}
