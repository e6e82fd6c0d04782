import type { ExportedRecord, StoreName } from './customer-data';
import { echoableId } from '../../../chat/handlers/lib/conversation-keys';

/** What the privacy officer may ask: a customer's data, its erasure, and a legal hold placed or released. */
export const PRIVACY_ACTIONS = ['export', 'erase', 'hold', 'release'] as const;
export type PrivacyAction = typeof PRIVACY_ACTIONS[number];

/** One request to the privacy function. */
export interface PrivacyRequest {
  readonly action: PrivacyAction;
  /**
   * The request's id (1 to 64 of `A-Z a-z 0-9 - _`), chosen by the caller: the same id again resumes an erasure that
   * stopped midway, or replays the answer of one that completed.
   */
  readonly requestId: string;
  /** The customer: their Cognito `sub`. */
  readonly sub: string;
  /** The caller's IAM ARN (the CLI sends its `GetCallerIdentity` ARN), for the audit record. */
  readonly requestedBy: string;
  /** For `hold`: the case the hold is for, a reference (1 to 64 of `A-Z a-z 0-9 - _ / .`), never free text. */
  readonly caseReference?: string;
}

/** How a request ended: the one final answer it gets. */
export type PrivacyStatus = 'completed' | 'refused' | 'failed' | 'invalid';

/** Why a request did not complete. */
export type PrivacyCode = 'invalid_request' | 'legal_hold' | 'request_id_conflict' | 'store_failed' | 'export_too_large' | 'internal';

/** The privacy function's answer. */
export interface PrivacyAnswer {
  readonly requestId: string;
  readonly action: PrivacyAction | 'invalid';
  readonly status: PrivacyStatus;
  readonly code?: PrivacyCode;
  readonly message: string;
  /** The keyed hash of the customer's id, as the audit record names them. */
  readonly subjectHash?: string;
  /** For `erase`: records deleted per store, over every attempt of the request. */
  readonly erased?: Readonly<Partial<Record<StoreName, number>>>;
  /** For `export`: every record of every store. */
  readonly data?: Readonly<Partial<Record<StoreName, readonly ExportedRecord[]>>>;
  /** For `failed` with `store_failed`: the store the request stopped at. */
  readonly store?: StoreName;
  /** True when a completed erasure is answered again from its audit record. */
  readonly replayed?: boolean;
}

const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CASE_REFERENCE = /^[A-Za-z0-9_./-]{1,64}$/;
/** An IAM role, assumed-role session or user ARN, at most 256 characters. */
const CALLER_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]{1,200}$/;

/** The request, or the answer that refuses it (which never echoes a malformed value). */
export function parsePrivacyRequest(event: unknown): PrivacyRequest | PrivacyAnswer {
  const body = typeof event === 'object' && event !== null && !Array.isArray(event) ? event as Record<string, unknown> : {};
  const requestId = echoableId(body.requestId);
  const action = (PRIVACY_ACTIONS as readonly unknown[]).includes(body.action) ? body.action as PrivacyAction : undefined;
  const problems = [
    action ? undefined : `action must be one of ${PRIVACY_ACTIONS.join(', ')}`,
    typeof body.requestId === 'string' && REQUEST_ID.test(body.requestId) ? undefined : 'requestId must be 1 to 64 of A-Z a-z 0-9 - _',
    typeof body.sub === 'string' && SUB.test(body.sub) ? undefined : 'sub must be a Cognito sub (a lower-case UUID)',
    typeof body.requestedBy === 'string' && CALLER_ARN.test(body.requestedBy) ? undefined : 'requestedBy must be the caller\'s IAM ARN',
    action === 'hold' && !(typeof body.caseReference === 'string' && CASE_REFERENCE.test(body.caseReference))
      ? 'caseReference must be 1 to 64 of A-Z a-z 0-9 - _ / . (a case number, not a description)' : undefined,
    action !== 'hold' && body.caseReference !== undefined ? 'caseReference is for hold only' : undefined,
  ].filter((p): p is string => p !== undefined);
  const extra = Object.keys(body).filter((k) => !['action', 'requestId', 'sub', 'requestedBy', 'caseReference'].includes(k));
  if (extra.length > 0) problems.push(`unknown field(s): ${extra.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`);
  if (problems.length > 0) {
    return { requestId, action: action ?? 'invalid', status: 'invalid', code: 'invalid_request', message: problems.join('; ') };
  }
  return {
    action: action!,
    requestId: body.requestId as string,
    sub: body.sub as string,
    requestedBy: body.requestedBy as string,
    ...(action === 'hold' ? { caseReference: body.caseReference as string } : {}),
  };
}

export function isPrivacyAnswer(value: PrivacyRequest | PrivacyAnswer): value is PrivacyAnswer {
  return 'status' in value;
}
