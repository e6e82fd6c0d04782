import type { ErrorFrame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { type ChatLocal, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { connect, Refused, within } from '../../../emulators/ws-client';
import { ask } from '../support/chat-session';

/*
 * Through the local gateway (the authorizer's context on every route, the real ApiGatewayManagementApiClient's
 * DeleteConnection): a connection whose token expires gets token_expired on its next message and is closed, with no
 * turn; a valid token outside the customer group never connects. The gateway is an emulator: this shows the handlers'
 * behaviour, not API Gateway's.
 */
describe('a connection does not outlive its token; only customers connect', () => {
  let chat: ChatLocal;

  beforeAll(async () => {
    chat = await startChatLocal();
  }, 120_000);
  afterAll(async () => chat?.close());

  test('a message after exp: token_expired, the connection is closed by the server, no turn ran', async () => {
    const sub = '5b4c1f5e-2d6a-4c9e-8f1a-0a1b2c3d4e5f';
    const client = await connect(chat.connectUrl(chat.issuer.mintIdToken({ username: 'ana', sub, groups: ['customer'], expiresInSeconds: 2 })));
    const before = await ask(client, { conversationId: 'c1', messageId: 'm1', text: 'Where is my order?' });
    expect(before.at(-1)?.type).toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const after = await ask(client, { conversationId: 'c1', messageId: 'm2', text: 'And the invoice?' });
    expect(after).toHaveLength(1);
    expect((after[0] as ErrorFrame).code).toBe('token_expired');
    await within(client.closed, 5_000);
    expect(chat.turns.filter((t) => t.request.sub === sub).map((t) => t.request.messageId)).toEqual(['m1']);
  });

  // Agents connect to answer handed-off conversations (test/workloads/support-chat/handoff/agent-flow.test.ts).
  test.each([['admin']])('a valid token of a user in the %s group only is refused at $connect (403)', async (group) => {
    const refused = await connect(chat.connectUrl(chat.issuer.mintIdToken({ username: 'bo', groups: [group] }))).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Refused);
    expect((refused as Refused).statusCode).toBe(403);
  });
});
