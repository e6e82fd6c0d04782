import { connectResponse, type ConnectResponse } from './lib/connect-subprotocol';
import type { ConnectionIndex } from './lib/connection-index';
import { echoableId } from './lib/conversation-keys';
import { type FrameError, inputRefusal, rateLimitedAtRelay, relayRefusal } from './lib/error-frames';
import { encodeFrame, isGoneError, postOrGone } from './lib/frames';
import { afterHandedOff, relayAgentAction } from './relay-agents';
import type { TurnRequest } from './turn-core';
import { checkRating, RATING_FRAME_ID } from '../../analytics/handlers/lib/rating';
import type { RefundApprovals } from '../../handoff/handlers/lib/refund-approvals';
import { DEFAULT_LANGUAGE, supportedLanguageOf, type SupportedLanguage } from '../../language/handlers/lib/languages';

/** Runs a turn and yields its frames as they come (the turn function's response stream, or the turn in-process). */
export type TurnInvoker = (request: TurnRequest) => AsyncIterable<string>;

/** Sends one frame to a connection; rejects with a `GoneException` when the client has left. */
export type ConnectionPoster = (connectionId: string, frame: string) => Promise<void>;

/** Closes a connection (`DeleteConnection`); rejects with a `GoneException` when the client has already left. */
export type ConnectionCloser = (connectionId: string) => Promise<void>;

/** Counts one message of the user against the per-user rate: `granted` false once the minute's messages are used up. */
export type RateGate = (sub: string) => Promise<{ readonly granted: boolean; readonly limit: number }>;

/** The WebSocket event the relay receives (API Gateway's Lambda proxy event for WebSocket routes). */
export interface RelayEvent {
  readonly body?: string | null;
  /** On `$connect`: the handshake's headers (the offered subprotocols among them). */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext: {
    readonly routeKey: string;
    readonly connectionId: string;
    /**
     * The `$connect` authorizer's context: API Gateway passes it on every route of the connection. `exp` is the token's
     * expiry (seconds since the epoch; the authorizer's context values arrive stringified).
     */
    readonly authorizer?: { readonly sub?: string; readonly groups?: string; readonly exp?: string | number; readonly name?: string } | null;
  };
}

/** Dependencies of the relay. */
export interface RelayDependencies {
  readonly invokeTurn: TurnInvoker;
  readonly post: ConnectionPoster;
  /** Closes a connection whose token has expired. */
  readonly disconnect: ConnectionCloser;
  /**
   * The per-user rate, counted before the turn is invoked (so an over-rate message is neither stored nor answered).
   *
   * @default - no rate at the relay (the turn still counts its own)
   */
  readonly admit?: RateGate;
  /**
   * Told of a turn that failed or ended without a final frame, or a post that failed other than with `GoneException`
   * (the relay's logs and `Errors` metric); the client has had its `internal` frame by then.
   *
   * @default - nothing
   */
  readonly onTurnFailed?: (error: unknown) => void;
  /**
   * The longest text, in code points (`limits.maxInputCharacters`): longer is `input_too_long` before the rate is
   * counted (the turn checks it again).
   *
   * @default - the turn's check only
   */
  readonly maxInputCharacters?: number;
  /**
   * The connection index of handed-off conversations (`CONN#` partitions): agents' frames reach the customer's
   * connections and the customer's messages the joined agents' (`relay-agents.ts`).
   *
   * @default - none: agent actions are answered `not_handed_off`
   */
  readonly connectionIndex?: ConnectionIndex;
  /**
   * The refund approvals waiting for an agent and the refund workflow's callback (`relay-agents.ts`).
   *
   * @default - none: `approveRefund` and `rejectRefund` are answered `refund_not_pending`
   */
  readonly refunds?: RefundApprovals;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A message the relay may hand to the turn. */
type Checked = (
  { readonly ok: true; readonly request: Omit<TurnRequest, 'sub'> } | { readonly ok: false; readonly ids: FrameIds; readonly refusal: FrameError }
) & {
  /** The language of the relay's own frames: the message's `language` when it is one of the tenant's, else English. */
  readonly language: SupportedLanguage;
};

/** The ids an error frame of the relay carries: the request's when well formed, else `invalid` (never reflected). */
interface FrameIds {
  readonly conversationId: string;
  readonly messageId: string;
}

function frameOf(ids: FrameIds, { code, message }: FrameError, seq = 0): string {
  return encodeFrame({ type: 'error', ...ids, seq, code, message });
}

/**
 * Parses and checks a message body before anything else happens: a JSON object (not `null`, a number, a string or an
 * array) with `action` `sendMessage` or `resume`, ids of the client-id rule, and for `sendMessage` a non-empty string
 * `text`, at most `maxInputCharacters` code points (`input_too_long`; the turn checks it again). An optional `language`
 * (a BCP 47 tag) is the language of the relay's refusals when `supportedLanguageOf` maps it to one of the tenant's, and
 * is handed to the turn as that code (the fallback of its detection); any other value is ignored (English), never
 * refused or echoed.
 */
export function checkMessage(body: string | null | undefined, maxInputCharacters = Number.POSITIVE_INFINITY): Checked {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { ok: false, ids: { conversationId: 'invalid', messageId: 'invalid' }, refusal: relayRefusal('notJson'), language: DEFAULT_LANGUAGE };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, ids: { conversationId: 'invalid', messageId: 'invalid' }, refusal: relayRefusal('notJson'), language: DEFAULT_LANGUAGE };
  }
  const message = parsed as {
    action?: unknown; conversationId?: unknown; messageId?: unknown; text?: unknown; language?: unknown; score?: unknown; comment?: unknown;
  };
  const ids = { conversationId: echoableId(message.conversationId), messageId: echoableId(message.messageId) };
  const told = typeof message.language === 'string' ? supportedLanguageOf(message.language) : undefined;
  const language = told ?? DEFAULT_LANGUAGE;
  const hint = told ? { language: told } : {};
  if (message.action === 'rate') {
    // A CSAT rating of the conversation (analytics/handlers/lib/rating.ts): its frames carry the messageId `rate`.
    const rating = checkRating(message);
    const rateIds = { conversationId: ids.conversationId, messageId: RATING_FRAME_ID };
    if (!rating.ok) return { ok: false, ids: rateIds, refusal: relayRefusal('badMessage', language), language };
    return { ok: true, request: { action: 'rate', ...rateIds, score: rating.rating.score, ...(rating.rating.comment ? { comment: rating.rating.comment } : {}), ...hint }, language };
  }
  if ((message.action !== 'sendMessage' && message.action !== 'resume') || typeof message.conversationId !== 'string' || typeof message.messageId !== 'string') {
    return { ok: false, ids, refusal: relayRefusal('badMessage', language), language };
  }
  if (ids.conversationId === 'invalid' || ids.messageId === 'invalid') return { ok: false, ids, refusal: relayRefusal('badIds', language), language };
  if (message.action === 'resume') return { ok: true, request: { action: 'resume', ...ids, ...hint }, language };
  if (typeof message.text !== 'string' || message.text.trim().length === 0) return { ok: false, ids, refusal: relayRefusal('missingText', language), language };
  if ([...message.text].length > maxInputCharacters) {
    return { ok: false, ids, refusal: inputRefusal('input_too_long', maxInputCharacters, language), language };
  }
  return { ok: true, request: { action: 'sendMessage', ...ids, text: message.text, ...hint }, language };
}

/**
 * Whether the connection's token has expired: `exp` (seconds) at or before now, as a JWT's `exp` is the time on or after
 * which it must not be accepted (RFC 7519, 4.1.4). A missing or unreadable `exp` counts as expired: every connection
 * the authorizer allows carries one.
 */
export function tokenExpired(exp: string | number | undefined, nowMs: number): boolean {
  const seconds = typeof exp === 'number' ? exp : typeof exp === 'string' && /^\d+$/.test(exp) ? Number(exp) : NaN;
  return !Number.isFinite(seconds) || seconds * 1000 <= nowMs;
}

/** The type and seq of a frame the turn sent, when it is one (and whether a `done` says `handedOff`). */
function frameHeader(frame: string): { type?: unknown; seq?: unknown; handedOff?: unknown } {
  try {
    const parsed = JSON.parse(frame) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed as { type?: unknown; seq?: unknown; handedOff?: unknown } : {};
  } catch {
    return {};
  }
}

/**
 * The relay: the WebSocket routes (docs/adr/0007-websocket-relay-outside-the-vpc.md). `$connect` (after the
 * authorizer) and `$disconnect` need nothing stored: the user is the authorizer's context on every message. A message
 * (`{"action":"sendMessage"|"resume","conversationId","messageId","text"}`) runs one turn, whose frames the relay posts
 * to the connection as they arrive.
 *
 * Before the turn: a connection whose token has expired gets `token_expired` and is closed; a malformed message gets
 * `bad_request`; a user over the per-user rate gets `rate_limited` (`admit`); none of them reaches the turn, so nothing
 * is stored. After it: every message ends with exactly one final frame (`done` or `error`). When the turn's invocation
 * fails, or its stream breaks or ends before its final frame, the relay sends an `internal` error frame itself, with the
 * next `seq`; it never throws, which API Gateway would send the client as a bare "Internal server error". A
 * `GoneException` (the client left) ends the posting, not the turn (it stores its answer for a resume).
 */
export function createRelay(deps: RelayDependencies) {
  const now = deps.now ?? Date.now;
  return async (event: RelayEvent): Promise<ConnectResponse> => {
    const { routeKey, connectionId, authorizer } = event.requestContext;
    if (routeKey === '$connect') return connectResponse(event.headers);
    if (routeKey === '$disconnect') return { statusCode: 200 };
    const sub = authorizer?.sub;
    if (!sub) return { statusCode: 403 };
    const checked = checkMessage(event.body, deps.maxInputCharacters);
    const ids = checked.ok ? { conversationId: checked.request.conversationId, messageId: checked.request.messageId } : checked.ids;
    const post = (frame: string) => postOrGone(deps, connectionId, frame);
    if (tokenExpired(authorizer.exp, now())) {
      await post(frameOf(ids, relayRefusal('tokenExpired', checked.language))).catch(deps.onTurnFailed ?? (() => undefined));
      await deps.disconnect(connectionId).catch((error: unknown) => {
        if (!isGoneError(error)) deps.onTurnFailed?.(error);
      });
      return { statusCode: 200 };
    }
    // Who may send which action (the connection's groups), and the agents' actions: relay-agents.ts.
    const caller = { connectionId, sub, groups: authorizer.groups, exp: authorizer.exp, name: authorizer.name };
    if (await relayAgentAction(deps, caller, event.body)) return { statusCode: 200 };
    if (!checked.ok) {
      await post(frameOf(ids, checked.refusal)).catch(deps.onTurnFailed ?? (() => undefined));
      return { statusCode: 200 };
    }
    let seq = 0;
    let final = false;
    let handedOff = false;
    try {
      const rate = deps.admit ? await deps.admit(sub) : { granted: true, limit: 0 };
      if (!rate.granted) {
        final = true;
        await post(frameOf(ids, rateLimitedAtRelay(rate.limit, checked.language)));
        return { statusCode: 200 };
      }
      for await (const frame of deps.invokeTurn({ ...checked.request, sub })) {
        const header = frameHeader(frame);
        if (typeof header.seq === 'number') seq = header.seq + 1;
        const isFinal = header.type === 'done' || header.type === 'error' || header.type === 'rated';
        if (!(await post(frame))) return { statusCode: 200 };
        if (isFinal) final = true;
        if (header.type === 'done' && header.handedOff === true) handedOff = true;
      }
      if (!final) throw new Error('the turn\'s stream ended without a final frame');
      if (handedOff) await afterHandedOff(deps, caller, checked.request, now());
    } catch (error) {
      deps.onTurnFailed?.(error);
      if (!final) await post(frameOf(ids, relayRefusal('internal', checked.language), seq)).catch(() => undefined);
    }
    return { statusCode: 200 };
  };
}

