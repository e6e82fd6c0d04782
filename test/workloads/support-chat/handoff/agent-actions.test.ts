import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { createRelay, type RelayEvent } from '../../../../workloads/support-chat/chat/handlers/relay-core';
import type { TurnRequest } from '../../../../workloads/support-chat/chat/handlers/turn-core';

/*
 * Agents do not answer over the WebSocket yet: the relay knows `sendMessage` and `resume` only. A customer's connection
 * that sends an agent's action (`agentReply`, `joinConversation`) gets `bad_request`, and nothing reaches the turn or
 * the conversation, whatever groups the message claims in its body.
 */

const SUB = '0b4e6b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b';
const NOW = Date.parse('2026-12-07T08:00:00Z');

test.each(['agentReply', 'joinConversation'])('a customer\'s %s is refused with bad_request and never reaches the turn', async (action) => {
  const posted: Frame[] = [];
  const invoked: TurnRequest[] = [];
  const relay = createRelay({
    invokeTurn: async function* (request) {
      invoked.push(request);
      yield* [];
    },
    post: async (_id, frame) => {
      posted.push(JSON.parse(frame) as Frame);
    },
    disconnect: async () => undefined,
    now: () => NOW,
  });
  const event: RelayEvent = {
    body: JSON.stringify({ action, conversationId: 'c1', messageId: 'm1', text: 'Your refund is approved.', groups: 'agent', from: { role: 'agent', name: 'Eve' } }),
    requestContext: { routeKey: '$default', connectionId: 'conn-1', authorizer: { sub: SUB, groups: 'customer', exp: String(NOW / 1000 + 600) } },
  };
  expect(await relay(event)).toEqual({ statusCode: 200 });
  expect(posted).toEqual([expect.objectContaining({ type: 'error', code: 'bad_request', conversationId: 'c1', messageId: 'm1' })]);
  expect(invoked).toEqual([]);
});
