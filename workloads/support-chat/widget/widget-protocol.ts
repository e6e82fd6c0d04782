import type { Citation } from '../knowledge/handlers/lib/knowledge-source';

/*
 * What the widget sends and receives on the chat's WebSocket (workloads/support-chat/README.md, "The protocol"; the
 * server's frame types are chat/handlers/lib/frames.ts). Browser code: no Node module, no product code but types.
 */

/**
 * The subprotocol the widget asks for, first of the two it offers (`new WebSocket(url, [SUBPROTOCOL, token])`); the
 * `$connect` route answers with it, and the token, the second, is never echoed (docs/adr/0028-support-chat-token-in-the-subprotocol-header.md).
 */
export const SUBPROTOCOL = 'support-chat.v1';

/**
 * Whether a string may be offered as a WebSocket subprotocol: RFC 6455 4.1 asks for a `token` of RFC 2616 (visible ASCII
 * but the separators `()<>@,;:\"/[]?={}`, space and tab). A browser throws a `SyntaxError` for anything else; a JWT
 * (base64url parts and dots) always passes.
 */
export function isSubprotocolToken(value: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value);
}

/** The languages of the tenant and of the widget's own strings. */
export const WIDGET_LANGUAGES = ['en', 'es', 'zh', 'fr', 'de'] as const;
export type WidgetLanguage = typeof WIDGET_LANGUAGES[number];

/** The `messageId` of the frames that answer a `rate` (`rated`, or an error): a rating has no message of its own. */
export const RATING_FRAME_ID = 'rate';

/** A message the widget sends. */
export type ClientMessage =
  | { readonly action: 'sendMessage'; readonly conversationId: string; readonly messageId: string; readonly text: string; readonly language: WidgetLanguage }
  | { readonly action: 'resume'; readonly conversationId: string; readonly messageId: string; readonly language: WidgetLanguage }
  | { readonly action: 'rate'; readonly conversationId: string; readonly score: number; readonly comment?: string };

/** What every frame of a message carries. */
interface MessageFrameBase {
  readonly conversationId: string;
  readonly messageId: string;
  readonly seq: number;
}

/** The frames the widget reads (chat/handlers/lib/frames.ts); anything else it ignores. */
export type ServerFrame =
  | MessageFrameBase & { readonly type: 'chunk'; readonly text: string }
  | MessageFrameBase & { readonly type: 'done'; readonly citations?: readonly Citation[]; readonly handedOff?: true }
  | MessageFrameBase & { readonly type: 'error'; readonly code: string; readonly message: string }
  /** A person's whole message in a handed-off conversation (`from: 'agent'`, with the agent's display name). */
  | MessageFrameBase & { readonly type: 'message'; readonly from: 'customer' | 'assistant' | 'agent'; readonly name?: string; readonly text: string }
  /** A person joined or left the conversation (`closed`: the assistant answers again). */
  | MessageFrameBase & { readonly type: 'agentJoined' | 'agentLeft'; readonly name: string; readonly closed?: true }
  /** The rating was stored (`messageId` `rate`). */
  | MessageFrameBase & { readonly type: 'rated'; readonly score: number };

/** API Gateway's own answer to a message it could not route or run (`{"message": "Internal server error", ...}`). */
export interface GatewayNotice {
  readonly type: 'gateway';
  readonly message: string;
}

/** Reads one WebSocket message: a frame, API Gateway's notice, or undefined for anything unreadable. */
export function readServerMessage(data: unknown): ServerFrame | GatewayNotice | undefined {
  if (typeof data !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (typeof record.type === 'string' && typeof record.conversationId === 'string') return record as unknown as ServerFrame;
  if (record.type === undefined && typeof record.message === 'string') return { type: 'gateway', message: record.message };
  return undefined;
}

/** A citation's link when it is an absolute http(s) URL, else undefined (never a `javascript:` or relative link). */
export function safeLink(link: unknown): string | undefined {
  if (typeof link !== 'string') return undefined;
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh id of the protocol's shape (1–64 of `A-Z a-z 0-9 - _`). */
export function newId(prefix: string): string {
  const random = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${random}`.slice(0, 64);
}
