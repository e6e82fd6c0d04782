import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { defaultChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { ConnectionIndex, conversationConnectionsKey } from '../../../../workloads/support-chat/chat/handlers/lib/connection-index';
import { userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import type { DoneFrame, ErrorFrame, Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { createRelay, type RelayEvent } from '../../../../workloads/support-chat/chat/handlers/relay-core';
import { runTurn, type TurnLimits, type TurnRequest } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { buildHandOff, HAND_OFF_ORDERS, ordersOfToolResults } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-record';
import { handOffKey, HandOffService } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-service';
import { tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import { startTurnEmulators, type TurnEmulators } from '../support/turn-emulators';

/*
 * Human agents over the WebSocket, at the relay: the real relay (`createRelay`) with the real connection index and the
 * real turn (`runTurn`, in-process) on the conversation table of the DynamoDB emulator. Who may send what is decided
 * from the authorizer's groups (`authorizeAction`), never the body; an agent acts only on a conversation that was handed
 * off and is not closed, and replies only after joining it. The hand-off state is the item `HandOffService` writes,
 * put here with its key (`handOffKey`) because publishing it needs EventBridge (hand-off-flow.test.ts covers that).
 */

const REGION = 'eu-central-1';
const CREDENTIALS = { accessKeyId: 'AKIAAGENTACTIONS0000', secretAccessKey: 'agent-actions-secret' };
const CUSTOMER = '0b4e6b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b';
const AGENT = '5d1f0c2a-8b3e-4c7d-9e6f-a1b2c3d4e5f6';
const config = exampleConfig();
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 5 };
const settings = defaultChatSettings(tenantModels(config, REGION));
const exp = () => String(Math.floor(Date.now() / 1000) + 600);

let emulators: TurnEmulators;
let index: ConnectionIndex;
let handOff: HandOffService;
const events = new EventBridgeClient({ region: REGION, credentials: CREDENTIALS, endpoint: 'http://127.0.0.1:9' });

beforeAll(async () => {
  emulators = await startTurnEmulators({ region: REGION, credentials: CREDENTIALS });
  index = new ConnectionIndex({ tableName: emulators.tableName, client: emulators.client });
  handOff = new HandOffService({
    tableName: emulators.tableName, clientFor: async () => emulators.client, events, busName: 'unused', policy: { unresolvedTurns: 3, refundApprovalThreshold: 500 }, retentionDays: 90,
  });
});

afterAll(async () => {
  events.destroy();
  await emulators?.stop();
});

/** The connections of the test: what each was sent, and which answer `GoneException`. */
class Connections {
  readonly sent = new Map<string, Frame[]>();
  readonly gone = new Set<string>();
  readonly invoked: TurnRequest[] = [];
  readonly disconnected: string[] = [];

  frames(connectionId: string): Frame[] {
    return this.sent.get(connectionId) ?? [];
  }

  relay() {
    return createRelay({
      invokeTurn: (request) => {
        this.invoked.push(request);
        return turnFrames(request);
      },
      post: async (connectionId, frame) => {
        if (this.gone.has(connectionId)) throw Object.assign(new Error('gone'), { name: 'GoneException', $metadata: { httpStatusCode: 410 } });
        this.sent.set(connectionId, [...this.frames(connectionId), JSON.parse(frame) as Frame]);
      },
      disconnect: async (connectionId) => {
        this.disconnected.push(connectionId);
      },
      connectionIndex: index,
      maxInputCharacters: limits.maxInputCharacters,
    });
  }
}

/** The turn in-process: its frames as the relay reads the response stream. */
async function* turnFrames(request: TurnRequest): AsyncIterable<string> {
  const frames: string[] = [];
  await runTurn(JSON.parse(JSON.stringify(request)) as TurnRequest, emulators.dependencies({ limits, settings, guardrailName: 'agents1' }, { handOff }), async (data) => {
    frames.push(data);
  });
  yield* frames;
}

function event(connectionId: string, body: unknown, authorizer: NonNullable<RelayEvent['requestContext']['authorizer']>): RelayEvent {
  return { body: typeof body === 'string' ? body : JSON.stringify(body), requestContext: { routeKey: '$default', connectionId, authorizer } };
}

const asCustomer = (connectionId: string, body: unknown) => event(connectionId, body, { sub: CUSTOMER, groups: 'customer', exp: exp() });
const asAgent = (connectionId: string, body: unknown, name = 'Dana') => event(connectionId, body, { sub: AGENT, groups: 'agent', exp: exp(), name });

/** Marks the conversation handed off, as `HandOffService.handOff` stores it once published. */
async function handedOff(conversationId: string, extra: Record<string, unknown> = {}): Promise<void> {
  await emulators.client.send(new PutCommand({
    TableName: emulators.tableName,
    Item: { pk: userKey(CUSTOMER), sk: handOffKey(conversationId), withAgent: true, reason: 'human_requested', handOffId: `${CUSTOMER}:${conversationId}:1`, published: true, createdAt: Date.now(), ...extra },
  }));
}

const lastOf = (frames: Frame[]) => frames[frames.length - 1];
const codeOf = (frames: Frame[]) => (lastOf(frames) as ErrorFrame | undefined)?.code;

describe('who may send which action: the authorizer\'s groups, never the body', () => {
  test.each(['joinConversation', 'agentReply', 'leaveConversation', 'listHandOffs'])('a customer\'s %s is forbidden and reaches neither the turn nor the index', async (action) => {
    await handedOff('auth1');
    const c = new Connections();
    const body = { action, customer: CUSTOMER, conversationId: 'auth1', messageId: 'm1', text: 'Your refund is approved.', groups: 'agent', from: { role: 'agent', name: 'Eve' } };
    expect(await c.relay()(asCustomer('cust-1', body))).toEqual({ statusCode: 200 });
    expect(c.frames('cust-1')).toEqual([expect.objectContaining({ type: 'error', code: 'forbidden', seq: 0 })]);
    expect(c.invoked).toEqual([]);
    expect(await index.connections(CUSTOMER, 'auth1')).toEqual([]);
    expect(await emulators.store.history(CUSTOMER, 'auth1', 10)).toEqual([]);
  });

  test.each(['sendMessage', 'resume', 'rate'])('an agent-only connection\'s %s is forbidden: an agent never writes as a customer', async (action) => {
    const c = new Connections();
    await c.relay()(asAgent('agent-1', { action, conversationId: 'auth2', messageId: 'm1', text: 'hello', score: 5 }));
    expect(c.frames('agent-1')).toEqual([expect.objectContaining({ type: 'error', code: 'forbidden' })]);
    expect(c.invoked).toEqual([]);
  });

  test('an agent action on a connection whose token has expired gets token_expired and the connection is closed', async () => {
    const c = new Connections();
    await c.relay()(event('agent-x', { action: 'listHandOffs', messageId: 'l1' }, { sub: AGENT, groups: 'agent', exp: String(Math.floor(Date.now() / 1000) - 1) }));
    expect(codeOf(c.frames('agent-x'))).toBe('token_expired');
    expect(c.disconnected).toEqual(['agent-x']);
  });
});

describe('malformed agent bodies are bad_request (or input_too_long), with nothing invoked', () => {
  test.each([
    ['no customer', { action: 'joinConversation', conversationId: 'c1', messageId: 'm1' }, 'bad_request'],
    ['a customer that is not a sub', { action: 'joinConversation', customer: 'USER#*', conversationId: 'c1', messageId: 'm1' }, 'bad_request'],
    ['a bad conversation id', { action: 'agentReply', customer: CUSTOMER, conversationId: 'c#1', messageId: 'm1', text: 'x' }, 'bad_request'],
    ['no message id', { action: 'listHandOffs' }, 'bad_request'],
    ['a reply without text', { action: 'agentReply', customer: CUSTOMER, conversationId: 'c1', messageId: 'm1', text: '  ' }, 'bad_request'],
    ['a close that is not a boolean', { action: 'leaveConversation', customer: CUSTOMER, conversationId: 'c1', messageId: 'm1', close: 'yes' }, 'bad_request'],
    ['a reply over the limit', { action: 'agentReply', customer: CUSTOMER, conversationId: 'c1', messageId: 'm1', text: 'x'.repeat(limits.maxInputCharacters + 1) }, 'input_too_long'],
  ])('%s', async (_name, body, code) => {
    const c = new Connections();
    await c.relay()(asAgent('agent-1', body));
    expect(c.frames('agent-1')).toEqual([expect.objectContaining({ type: 'error', code })]);
    expect(c.invoked).toEqual([]);
  });
});

describe('an agent acts only on a handed-off conversation it joined', () => {
  test('joining an unknown conversation or one never handed off is not_handed_off; a closed one conversation_closed', async () => {
    await emulators.store.putUserMessage(CUSTOMER, 'plain1', 'm1', 'Where is my parcel?');
    await handedOff('closed1', { withAgent: false, closedAt: Date.now() });
    const c = new Connections();
    const relay = c.relay();
    for (const [conversationId, code] of [['nobody1', 'not_handed_off'], ['plain1', 'not_handed_off'], ['closed1', 'conversation_closed']]) {
      await relay(asAgent('agent-1', { action: 'joinConversation', customer: CUSTOMER, conversationId, messageId: `j-${conversationId}` }));
      expect([conversationId, codeOf(c.frames('agent-1'))]).toEqual([conversationId, code]);
      expect(await index.connections(CUSTOMER, conversationId)).toEqual([]);
    }
  });

  test('a reply or a leave on a conversation the connection did not join is not_joined: nothing is stored or sent', async () => {
    await handedOff('notjoined1');
    const c = new Connections();
    const relay = c.relay();
    await relay(asAgent('agent-1', { action: 'agentReply', customer: CUSTOMER, conversationId: 'notjoined1', messageId: 'r1', text: 'Refund approved.' }));
    await relay(asAgent('agent-1', { action: 'leaveConversation', customer: CUSTOMER, conversationId: 'notjoined1', messageId: 'x1', close: true }));
    expect(c.frames('agent-1').map((f) => (f as ErrorFrame).code)).toEqual(['not_joined', 'not_joined']);
    expect(c.invoked).toEqual([]);
    expect(await emulators.store.history(CUSTOMER, 'notjoined1', 10)).toEqual([]);
    expect(await handOff.state(CUSTOMER, 'notjoined1')).toBe('open');
  });
});

describe('the conversation between the customer and an agent', () => {
  const conversationId = 'live1';
  const c = new Connections();
  let relay: ReturnType<Connections['relay']>;

  beforeAll(async () => {
    relay = c.relay();
    await emulators.store.putUserMessage(CUSTOMER, conversationId, 'm0', 'I want to talk to a human.');
    await emulators.store.putAnswer(CUSTOMER, conversationId, 'm0', 'A person will take over.');
    await handedOff(conversationId);
  });

  test('the customer\'s message after the hand-off gets done handedOff with no answer; the connection is indexed and the hand-off listed', async () => {
    await relay(asCustomer('cust-1', { action: 'sendMessage', conversationId, messageId: 'm1', text: 'Hello? Is anyone there?' }));
    expect(c.frames('cust-1')).toEqual([{ type: 'done', conversationId, messageId: 'm1', seq: 0, handedOff: true }]);
    expect(await index.connections(CUSTOMER, conversationId)).toEqual([expect.objectContaining({ connectionId: 'cust-1', role: 'customer' })]);
    await relay(asAgent('agent-1', { action: 'listHandOffs', messageId: 'l1' }));
    const listed = lastOf(c.frames('agent-1'));
    expect(listed).toMatchObject({ type: 'handOffs', messageId: 'l1', seq: 0 });
    expect(listed.type === 'handOffs' && listed.handOffs).toEqual(expect.arrayContaining([{ customer: CUSTOMER, conversationId, since: expect.any(String) }]));
  });

  test('joining sends the agent the conversation so far, agentJoined and done; the customer sees agentJoined with the agent\'s name', async () => {
    await relay(asAgent('agent-1', { action: 'joinConversation', customer: CUSTOMER, conversationId, messageId: 'j1' }));
    const frames = c.frames('agent-1').filter((f) => f.messageId === 'j1');
    expect(frames.map((f) => [f.type, f.seq])).toEqual([['message', 0], ['message', 1], ['message', 2], ['agentJoined', 3], ['done', 4]]);
    expect(frames.slice(0, 3).map((f) => f.type === 'message' && [f.from, f.text])).toEqual([
      ['customer', 'I want to talk to a human.'], ['assistant', 'A person will take over.'], ['customer', 'Hello? Is anyone there?'],
    ]);
    expect(lastOf(frames)).toEqual({ type: 'done', conversationId, messageId: 'j1', seq: 4, delivered: 1 });
    expect(lastOf(c.frames('cust-1'))).toEqual({ type: 'agentJoined', conversationId, messageId: 'j1', seq: 0, name: 'Dana', at: expect.any(String) });
  });

  test('a reply is stored with the conversation and reaches the customer marked from agent with the name; the same id and text again is stored once', async () => {
    const reply = { action: 'agentReply', customer: CUSTOMER, conversationId, messageId: 'r1', text: 'Hello, I am looking at your refund now.' };
    await relay(asAgent('agent-1', reply));
    await relay(asAgent('agent-1', reply));
    const toCustomer = c.frames('cust-1').filter((f) => f.type === 'message');
    expect(toCustomer).toHaveLength(2);
    expect(toCustomer[0]).toEqual({ type: 'message', conversationId, messageId: 'r1', seq: 0, from: 'agent', name: 'Dana', text: reply.text, at: expect.any(String) });
    expect(toCustomer[1]).toEqual(toCustomer[0]);
    expect(c.frames('agent-1').filter((f) => f.messageId === 'r1').map((f) => f.type)).toEqual(['message', 'done', 'message', 'done']);
    const history = await emulators.store.history(CUSTOMER, conversationId, 10);
    expect(history.filter((m) => m.agentName === 'Dana').map((m) => [m.role, m.text])).toEqual([['assistant', reply.text]]);
  });

  test('a reused messageId with another text is message_id_conflict: nothing stored, nothing sent to the customer', async () => {
    const before = c.frames('cust-1').length;
    await relay(asAgent('agent-1', { action: 'agentReply', customer: CUSTOMER, conversationId, messageId: 'r1', text: 'Refund denied.' }));
    expect(codeOf(c.frames('agent-1'))).toBe('message_id_conflict');
    expect(c.frames('cust-1')).toHaveLength(before);
    expect((await emulators.store.history(CUSTOMER, conversationId, 10)).map((m) => m.text)).not.toContain('Refund denied.');
  });

  test('the customer\'s next message reaches the joined agent as a message from the customer; the assistant stays silent', async () => {
    await relay(asCustomer('cust-1', { action: 'sendMessage', conversationId, messageId: 'm2', text: 'Thank you!' }));
    expect(lastOf(c.frames('cust-1'))).toMatchObject({ type: 'done', messageId: 'm2', handedOff: true });
    expect(lastOf(c.frames('agent-1'))).toEqual({ type: 'message', conversationId, messageId: 'm2', seq: 0, from: 'customer', text: 'Thank you!', at: expect.any(String) });
    expect(emulators.bedrockEmulator.requests).toEqual([]);
  });

  test('the customer\'s connection gone: the reply is stored, the agent gets done with delivered 0, and the index forgets the connection', async () => {
    c.gone.add('cust-1');
    await relay(asAgent('agent-1', { action: 'agentReply', customer: CUSTOMER, conversationId, messageId: 'r2', text: 'Are you still there?' }));
    const done = lastOf(c.frames('agent-1')) as DoneFrame;
    expect(done).toEqual({ type: 'done', conversationId, messageId: 'r2', seq: 1, delivered: 0 });
    expect((await index.connections(CUSTOMER, conversationId)).map((x) => x.role)).toEqual(['agent']);
    expect((await emulators.store.history(CUSTOMER, conversationId, 10)).map((m) => m.text)).toContain('Are you still there?');
  });

  test('a reconnecting customer\'s resume replays the agents\' messages stored after that message, each under its own id, before done', async () => {
    await relay(asCustomer('cust-3', { action: 'resume', conversationId, messageId: 'm2' }));
    expect(c.frames('cust-3')).toEqual([
      { type: 'message', conversationId, messageId: 'r2', seq: 0, from: 'agent', name: 'Dana', text: 'Are you still there?', at: expect.any(String) },
      { type: 'done', conversationId, messageId: 'm2', seq: 0, handedOff: true },
    ]);
    expect((await index.connections(CUSTOMER, conversationId)).map((x) => x.connectionId).sort()).toEqual(['agent-1', 'cust-3']);
    c.gone.add('cust-3');
  });

  test('leaving with close closes the hand-off: agentLeft, no longer listed, and no agent may join it again', async () => {
    await relay(asCustomer('cust-2', { action: 'resume', conversationId, messageId: 'm2' }));
    await relay(asAgent('agent-1', { action: 'leaveConversation', customer: CUSTOMER, conversationId, messageId: 'x1', close: true }));
    expect(lastOf(c.frames('cust-2'))).toEqual({ type: 'agentLeft', conversationId, messageId: 'x1', seq: 0, name: 'Dana', at: expect.any(String), closed: true });
    expect(lastOf(c.frames('agent-1'))).toEqual({ type: 'done', conversationId, messageId: 'x1', seq: 1, delivered: 1 });
    expect(await handOff.state(CUSTOMER, conversationId)).toBe('closed');
    expect((await index.connections(CUSTOMER, conversationId)).map((x) => x.role)).toEqual(['customer']);
    await relay(asAgent('agent-2', { action: 'listHandOffs', messageId: 'l2' }));
    const listed = lastOf(c.frames('agent-2'));
    expect(listed.type === 'handOffs' && listed.handOffs.map((h) => h.conversationId)).not.toContain(conversationId);
    await relay(asAgent('agent-2', { action: 'joinConversation', customer: CUSTOMER, conversationId, messageId: 'j2' }, 'Eli'));
    expect(codeOf(c.frames('agent-2'))).toBe('conversation_closed');
    expect(await index.connections(CUSTOMER, conversationId)).toHaveLength(1);
    expect(conversationConnectionsKey(CUSTOMER, conversationId)).toBe(`CONN#${CUSTOMER}#${conversationId}`);
  });
});

describe('an agent who reconnects', () => {
  test('is back in the conversations they joined after listHandOffs: the new connection replies and gets the customer\'s messages; not after leaving', async () => {
    const conversationId = 'rejoin1';
    const c = new Connections();
    const relay = c.relay();
    await handedOff(conversationId);
    await relay(asCustomer('cust-r', { action: 'sendMessage', conversationId, messageId: 'm1', text: 'Hello?' }));
    await relay(asAgent('agent-r1', { action: 'joinConversation', customer: CUSTOMER, conversationId, messageId: 'j1' }));
    const reply = { action: 'agentReply', customer: CUSTOMER, conversationId, messageId: 'r1', text: 'I am back.' };
    await relay(asAgent('agent-r2', reply));
    expect(codeOf(c.frames('agent-r2'))).toBe('not_joined');
    // Another agent's reconnect rejoins nothing of this one's.
    await relay(event('agent-x', { action: 'listHandOffs', messageId: 'l0' }, { sub: '9e6f5d1f-0c2a-4b3e-8c7d-a1b2c3d4e5f6', groups: 'agent', exp: exp() }));
    expect(await index.joined(CUSTOMER, conversationId, 'agent-x')).toBe(false);
    await relay(asAgent('agent-r2', { action: 'listHandOffs', messageId: 'l1' }));
    expect(await index.joined(CUSTOMER, conversationId, 'agent-r2')).toBe(true);
    await relay(asAgent('agent-r2', reply));
    expect(lastOf(c.frames('agent-r2'))).toMatchObject({ type: 'done', messageId: 'r1', delivered: 1 });
    await relay(asCustomer('cust-r', { action: 'sendMessage', conversationId, messageId: 'm2', text: 'Welcome back.' }));
    expect(lastOf(c.frames('agent-r2'))).toMatchObject({ type: 'message', messageId: 'm2', from: 'customer' });
    // Left (without closing): the next reconnect is not put back.
    await relay(asAgent('agent-r2', { action: 'leaveConversation', customer: CUSTOMER, conversationId, messageId: 'x1' }));
    await relay(asAgent('agent-r3', { action: 'listHandOffs', messageId: 'l2' }));
    expect(await index.joined(CUSTOMER, conversationId, 'agent-r3')).toBe(false);
  });

  test('reads the open hand-offs of their joins in BatchGetItem calls of at most 100 keys, asks again for unprocessed keys, gives up on keys that stay', async () => {
    const agent = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f';
    const conversations = Array.from({ length: 130 }, (_, i) => `batch${i}`);
    for (const id of conversations) {
      await index.markOpen(CUSTOMER, id);
      await index.rememberJoin(agent, CUSTOMER, id);
    }
    // Two joins whose hand-off an agent closed: not rejoined.
    for (const id of ['batch-closed1', 'batch-closed2']) await index.rememberJoin(agent, CUSTOMER, id);
    // The real client on the emulator, behind a wrapper that counts the calls and, `unprocessed` times, answers a
    // BatchGetItem as a throttled DynamoDB does: its last key unread, in UnprocessedKeys.
    const sent: string[] = [];
    const wrapped = (unprocessed: number) => ({
      send: async (command: { input: unknown; constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        if (!(command instanceof BatchGetCommand) || unprocessed-- <= 0) return emulators.client.send(command as never);
        const { Keys, ...rest } = command.input.RequestItems![emulators.tableName];
        const read = Keys!.slice(0, -1);
        // DynamoDB refuses an empty batch: with one key, nothing is read and the key comes back unprocessed.
        const answer = read.length > 0
          ? await emulators.client.send(new BatchGetCommand({ RequestItems: { [emulators.tableName]: { ...rest, Keys: read } } }))
          : { Responses: { [emulators.tableName]: [] } };
        return { ...answer, UnprocessedKeys: { [emulators.tableName]: { ...rest, Keys: Keys!.slice(-1) } } };
      },
    }) as unknown as DynamoDBDocumentClient;
    const connection = { connectionId: 'agent-batch-1', name: 'Agent', expiresAt: Math.floor(Date.now() / 1000) + 600 };
    const rejoined = await new ConnectionIndex({ tableName: emulators.tableName, client: wrapped(1) }).rejoin(agent, connection);
    expect(rejoined.map((r) => r.conversationId).sort()).toEqual([...conversations].sort());
    expect(sent.filter((c) => c !== 'PutCommand')).toEqual(['QueryCommand', 'BatchGetCommand', 'BatchGetCommand', 'BatchGetCommand']);
    expect(await index.joined(CUSTOMER, 'batch129', 'agent-batch-1')).toBe(true);
    expect(await index.joined(CUSTOMER, 'batch-closed1', 'agent-batch-1')).toBe(false);
    // A key DynamoDB leaves unprocessed on every call fails the rejoin (the relay answers the listing with an error).
    await expect(new ConnectionIndex({ tableName: emulators.tableName, client: wrapped(10) }).rejoin(agent, { ...connection, connectionId: 'agent-batch-2' }))
      .rejects.toThrow('1 open hand-off(s) stayed unprocessed after 5 BatchGetItem calls');
  });
});

describe('the hand-off record', () => {
  test('carries the orders the order tool showed the model in the conversation, each once (latest look-up), and agents\' messages as agent', () => {
    const order = (orderId: string, status: string) => ({ orderId, status, items: [{ name: 'Kettle', quantity: 1 }] });
    expect(ordersOfToolResults([
      { orders: [order('ORD-1', 'shipped'), order('ORD-2', 'processing')] },
      { found: false, orderId: 'ORD-9', message: 'This customer has no order with this number.' },
      { found: true, order: order('ORD-1', 'delivered') },
      { orders: 'not a list' },
      { found: true, order: { status: 'no id' } },
    ])).toEqual([order('ORD-2', 'processing'), order('ORD-1', 'delivered')]);
    expect(ordersOfToolResults(Array.from({ length: 15 }, (_, i) => ({ found: true, order: order(`ORD-${i}`, 'shipped') })))).toHaveLength(HAND_OFF_ORDERS);
    const record = buildHandOff({
      conversationId: 'c1',
      customer: { sub: CUSTOMER, tier: 'standard', language: 'en' },
      reason: 'human_requested',
      messages: [
        { conversationId: 'c1', messageId: 'm1', role: 'user', text: 'Where is ORD-1?', createdAt: 1 },
        { conversationId: 'c1', messageId: 'r1', role: 'assistant', text: 'It is on its way.', createdAt: 2, agentName: 'Dana' },
      ],
      orders: [order('ORD-1', 'shipped')],
    });
    expect(record.transcript.map((m) => m.role)).toEqual(['user', 'agent']);
    expect(record.orders).toEqual([order('ORD-1', 'shipped')]);
  });
});
