import { type FrameError, RELAY_REFUSALS } from './lib/error-frames';
import { encodeFrame, isGoneError } from './lib/frames';
import type { TurnRequest } from './turn-core';

/** Runs a turn and yields its frames as they come (the turn function's response stream, or the turn in-process). */
export type TurnInvoker = (request: TurnRequest) => AsyncIterable<string>;

/** Sends one frame to a connection; rejects with a `GoneException` when the client has left. */
export type ConnectionPoster = (connectionId: string, frame: string) => Promise<void>;

/** The WebSocket event the relay receives (API Gateway's Lambda proxy event for WebSocket routes). */
export interface RelayEvent {
  readonly body?: string | null;
  readonly requestContext: {
    readonly routeKey: string;
    readonly connectionId: string;
    /** The `$connect` authorizer's context: API Gateway passes it on every route of the connection. */
    readonly authorizer?: { readonly sub?: string; readonly groups?: string } | null;
  };
}

/** Dependencies of the relay. */
export interface RelayDependencies {
  readonly invokeTurn: TurnInvoker;
  readonly post: ConnectionPoster;
}

/** A frame the relay writes itself, for a message it cannot hand to the turn. */
function refusal({ code, message }: FrameError): string {
  return encodeFrame({ type: 'error', conversationId: 'invalid', messageId: 'invalid', seq: 0, code, message });
}

/**
 * The relay: the WebSocket routes (docs/adr/0007-websocket-relay-outside-the-vpc.md). `$connect` (after the
 * authorizer) and `$disconnect` need nothing stored: the user is the authorizer's context on every message. A message
 * (`{"action":"sendMessage"|"resume","conversationId","messageId","text"}`) runs one turn, whose frames the relay posts
 * to the connection as they arrive; a `GoneException` ends the posting (the turn still stores its answer, so the
 * client finds it when it resumes).
 */
export function createRelay(deps: RelayDependencies) {
  return async (event: RelayEvent): Promise<{ statusCode: number }> => {
    const { routeKey, connectionId } = event.requestContext;
    if (routeKey === '$connect' || routeKey === '$disconnect') return { statusCode: 200 };
    const sub = event.requestContext.authorizer?.sub;
    if (!sub) return { statusCode: 403 };
    let message: { action?: unknown; conversationId?: unknown; messageId?: unknown; text?: unknown };
    try {
      message = JSON.parse(event.body ?? '');
    } catch {
      await postQuietly(deps, connectionId, refusal(RELAY_REFUSALS.notJson));
      return { statusCode: 200 };
    }
    if ((message.action !== 'sendMessage' && message.action !== 'resume') || typeof message.conversationId !== 'string' || typeof message.messageId !== 'string') {
      await postQuietly(deps, connectionId, refusal(RELAY_REFUSALS.badMessage));
      return { statusCode: 200 };
    }
    const request: TurnRequest = {
      action: message.action,
      sub,
      conversationId: message.conversationId,
      messageId: message.messageId,
      text: typeof message.text === 'string' ? message.text : undefined,
    };
    for await (const frame of deps.invokeTurn(request)) {
      try {
        await deps.post(connectionId, frame);
      } catch (error) {
        if (isGoneError(error)) break;
        throw error;
      }
    }
    return { statusCode: 200 };
  };
}

async function postQuietly(deps: RelayDependencies, connectionId: string, frame: string): Promise<void> {
  try {
    await deps.post(connectionId, frame);
  } catch (error) {
    if (!isGoneError(error)) throw error;
  }
}
