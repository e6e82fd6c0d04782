import { ALICE_SUB, BOB_SUB, FIXTURE_ORDERS } from '../../../../emulators/order-api/order-api-emulator';
import type { DoneFrame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { type ChatLocal, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { connect } from '../../../emulators/ws-client';
import { ask, textOf } from '../support/chat-session';

/*
 * The order tool end to end through the local harness (`startChatLocal({ orders: true })`): a `ws` client with the first
 * fixture customer's id token, the local gateway, the relay and the turn, whose order tool reads its token from Secrets
 * Manager on moto and calls the order API emulator; the Bedrock emulator plays the model's look-up (`local-orders.ts`).
 * It checks the path and what each customer sees, on emulators, not what a model or the company's API would do.
 */

let chat: ChatLocal;

beforeAll(async () => {
  chat = await startChatLocal({ orders: true });
}, 300_000);

afterAll(async () => {
  await chat?.close();
});

beforeEach(() => {
  chat.resetBedrock();
  chat.orderApi!.mode = 'normal';
});

const connectAs = (sub: string) => connect(chat.connectUrl(chat.token('customer', { sub })));

test('"where is my order": the customer sees their own orders, through the tool', async () => {
  const client = await connectAs(ALICE_SUB);
  const frames = await ask(client, { conversationId: 'orders-1', messageId: 'q1', text: 'Where is my order ORD-10002?' });
  const list = await ask(client, { conversationId: 'orders-1', messageId: 'q2', text: 'Where are my orders?' });
  client.ws.close();
  expect((frames.at(-1) as DoneFrame).type).toBe('done');
  expect(textOf(frames)).toContain('Order ORD-10002 is shipped');
  expect(textOf(list)).toMatch(/ORD-10003.*ORD-10002.*ORD-10001/s);
  expect(chat.orderApi!.requests.map((r) => r.path)).toEqual([`/customers/${ALICE_SUB}/orders/ORD-10002`, `/customers/${ALICE_SUB}/orders?limit=3`]);
});

test('with the API in buggy mode, the other customer\'s orders reach neither the model nor the customer', async () => {
  chat.orderApi!.mode = 'buggy';
  const client = await connectAs(ALICE_SUB);
  const frames = await ask(client, { conversationId: 'orders-2', messageId: 'q1', text: 'Where are my orders?' });
  client.ws.close();
  expect((frames.at(-1) as DoneFrame).type).toBe('done');
  const seen = JSON.stringify([frames, chat.emulator!.requests.map((r) => r.body)]);
  for (const order of FIXTURE_ORDERS.filter((o) => o.customerId === BOB_SUB)) expect(seen).not.toContain(order.orderId);
});
