import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { DescribeExecutionCommand, ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ALICE_SUB } from '../../../../emulators/order-api/order-fixtures';
import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { TENANT_MESSAGES } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';
import { type AgentTerminal, agentInTerminal } from '../../../../workloads/support-chat/local/agent-terminal';
import { type ChatLocal, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { connect, refusedStatus, type TestClient } from '../../../emulators/ws-client';

/*
 * A customer and a human agent over the same WebSocket, end to end through the local harness (`startChatLocal` with
 * `handOff`): the local gateway with the real $connect authorizer, the real relay and its connection index, the real
 * turn on the DynamoDB emulator, the hand-off published on moto's EventBridge; the agent is `chat:local -- --agent`'s
 * terminal (`agentInTerminal`) with an agent-group token of the local issuer. No model is called once handed off.
 */

let chat: ChatLocal;
let warn: jest.SpyInstance;

beforeAll(async () => {
  // The authorizer logs each refusal with console.warn, as in Lambda.
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  chat = await startChatLocal({ handOff: true, orders: true });
}, 120_000);

afterAll(async () => {
  await chat?.close();
  warn.mockRestore();
});

/** The next frames on a client up to (and including) the first that `last` accepts. */
async function until(client: TestClient, last: (frame: Frame) => boolean): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (;;) {
    const frame = JSON.parse(await client.nextMessage(10_000)) as Frame;
    frames.push(frame);
    if (last(frame)) return frames;
  }
}

/** An agent terminal fed line by line, with what it printed so far. */
interface DrivenTerminal {
  readonly terminal: AgentTerminal;
  type(line: string): void;
  printed(): string;
  expectPrinted(pattern: RegExp): Promise<void>;
}

async function agentTerminal(name: string): Promise<DrivenTerminal> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  const terminal = await agentInTerminal({ url: chat.connectUrl(chat.token('agent', { name })), input, output });
  const expectPrinted = async (pattern: RegExp) => {
    const deadline = Date.now() + 10_000;
    while (!pattern.test(printed)) {
      if (Date.now() > deadline) throw new Error(`the agent terminal never printed ${pattern}; it printed:\n${printed}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { terminal, type: (line) => input.write(`${line}\n`), printed: () => printed, expectPrinted };
}

describe('who connects (chat:local on the emulators)', () => {
  test('an agent-group token connects; a token of the admin group only is refused at the handshake (403)', async () => {
    const agent = await connect(chat.connectUrl(chat.token('agent', { name: 'Dana' })));
    agent.ws.close();
    expect(await refusedStatus(chat.connectUrl(chat.token('admin')))).toBe(403);
  });

  test('an agent token of another user pool, of another app client, expired or signed with another key is refused (401)', async () => {
    const agentToken = (options: Partial<Parameters<ChatLocal['issuer']['mintIdToken']>[0]>) =>
      chat.issuer.mintIdToken({ username: 'mallory', groups: ['agent'], claims: { name: 'Dana' }, ...options });
    for (const token of [
      agentToken({ issuer: `https://cognito-idp.${chat.region}.amazonaws.com/${chat.region}_Other` }),
      agentToken({ clientId: 'someotherclient0000000000' }),
      agentToken({ expiresInSeconds: 0 }),
      agentToken({ signingKey: 'other' }),
    ]) {
      expect(await refusedStatus(chat.connectUrl(token))).toBe(401);
    }
  });

  test('a customer\'s connection that sends an agent action gets forbidden', async () => {
    const customer = await connect(chat.connectUrl(chat.token('customer')));
    customer.ws.send(JSON.stringify({ action: 'agentReply', customer: randomUUID(), conversationId: 'c1', messageId: 'r1', text: 'Approved.' }));
    expect(await until(customer, () => true)).toEqual([expect.objectContaining({ type: 'error', code: 'forbidden' })]);
    customer.ws.close();
  });
});

describe('a handed-off conversation answered by an agent in the terminal (chat:local on the emulators)', () => {
  const sub = randomUUID();
  const conversationId = `c-${sub.slice(0, 8)}`;
  let customer: TestClient;
  let agent: Awaited<ReturnType<typeof agentTerminal>>;

  beforeAll(async () => {
    customer = await connect(chat.connectUrl(chat.token('customer', { sub })));
    agent = await agentTerminal('Dana');
  });

  afterAll(() => {
    customer?.ws.close();
    agent?.terminal.close();
  });

  test('the customer asks for a person: the escalation notice and done handedOff, and no model call', async () => {
    customer.ws.send(JSON.stringify({ action: 'sendMessage', conversationId, messageId: 'm1', text: 'I want to talk to a human, please.' }));
    const frames = await until(customer, (f) => f.type === 'done' || f.type === 'error');
    expect(frames.map((f) => f.type)).toEqual(['chunk', 'done']);
    expect(frames[0]).toMatchObject({ text: TENANT_MESSAGES.escalation_notice.en });
    expect(frames[1]).toMatchObject({ handedOff: true });
    expect(chat.emulator?.requests ?? []).toHaveLength(0);
  });

  test('the agent lists the open hand-offs, joins this one (its conversation printed) and the customer sees who answers', async () => {
    agent.type('/list');
    await agent.expectPrinted(new RegExp(`\\d+\\. ${conversationId} of ${sub}`));
    const listed = new RegExp(`(\\d+)\\. ${conversationId} of ${sub}`).exec(agent.printed())![1];
    agent.type(`/join ${listed}`);
    await agent.expectPrinted(/customer> I want to talk to a human, please\./);
    await agent.expectPrinted(/· Dana joined/);
    expect(await until(customer, () => true)).toEqual([{ type: 'agentJoined', conversationId, messageId: expect.any(String), seq: 0, name: 'Dana', at: expect.any(String) }]);
  });

  test('the agent\'s reply reaches the customer from agent Dana; the customer\'s answer reaches the agent; the assistant stays silent', async () => {
    agent.type('Hello, this is Dana. How can I help?');
    const [reply] = await until(customer, () => true);
    expect(reply).toEqual({
      type: 'message', conversationId, messageId: expect.any(String), seq: 0, from: 'agent', name: 'Dana', text: 'Hello, this is Dana. How can I help?', at: expect.any(String),
    });
    customer.ws.send(JSON.stringify({ action: 'sendMessage', conversationId, messageId: 'm2', text: 'My parcel never arrived.' }));
    expect(await until(customer, (f) => f.type === 'done')).toEqual([{ type: 'done', conversationId, messageId: 'm2', seq: 0, handedOff: true }]);
    await agent.expectPrinted(/customer> My parcel never arrived\./);
    expect(chat.emulator?.requests ?? []).toHaveLength(0);
  });

  test('the agent closes the conversation: the customer sees it, and the assistant answers the next message again', async () => {
    agent.type('/close');
    expect(await until(customer, () => true)).toEqual([expect.objectContaining({ type: 'agentLeft', name: 'Dana', closed: true })]);
    await agent.expectPrinted(/· Dana left and closed the conversation/);
    customer.ws.send(JSON.stringify({ action: 'sendMessage', conversationId, messageId: 'm3', text: 'Where is my order 40412?' }));
    const frames = await until(customer, (f) => f.type === 'done' || f.type === 'error');
    expect(frames.at(-1)).toMatchObject({ type: 'done' });
    expect(frames.at(-1)).not.toHaveProperty('handedOff');
    expect((chat.emulator?.requests ?? []).length).toBeGreaterThan(0);
  });
});

describe('a refund over the threshold approved by an agent in the terminal (chat:local: moto Step Functions waiting task)', () => {
  const conversationId = `r-${randomUUID().slice(0, 8)}`;
  let customer: TestClient;
  let agent: Awaited<ReturnType<typeof agentTerminal>>;

  beforeAll(async () => {
    customer = await connect(chat.connectUrl(chat.token('customer', { sub: ALICE_SUB })));
    agent = await agentTerminal('Eve');
  });

  afterAll(() => {
    customer?.ws.close();
    agent?.terminal.close();
  });

  test('the customer\'s refund of 450 € for an order the tool looked up waits for an agent; the agent approves it once and the customer is told', async () => {
    customer.ws.send(JSON.stringify({ action: 'sendMessage', conversationId, messageId: 'm1', text: 'Where is my order ORD-10001?' }));
    expect((await until(customer, (f) => f.type === 'done' || f.type === 'error')).at(-1)).toMatchObject({ type: 'done' });
    customer.ws.send(JSON.stringify({ action: 'sendMessage', conversationId, messageId: 'm2', text: 'ORD-10001 arrived broken, I want a refund of 450 €.' }));
    expect((await until(customer, (f) => f.type === 'done' || f.type === 'error')).at(-1)).toMatchObject({ type: 'done', handedOff: true });
    // The workflow stores the request once its waiting task ran: the agent's list shows it then.
    const pending = new RegExp(`(\\d+)\\. ${conversationId} of ${ALICE_SUB} since \\S+ · refund of up to 450\\.00 for ORD-10001 until `);
    for (let lists = 0; !pending.test(agent.printed()); lists++) {
      if (lists === 50) throw new Error(`the refund was never listed; the terminal printed:\n${agent.printed()}`);
      if (lists > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const before = agent.printed().length;
      agent.type('/list');
      while (!/no open hand-offs|\d+\. \S+ of /.test(agent.printed().slice(before))) await new Promise((resolve) => setImmediate(resolve));
    }
    agent.type(`/join ${pending.exec(agent.printed())![1]}`);
    expect(await until(customer, () => true)).toEqual([expect.objectContaining({ type: 'agentJoined', name: 'Eve' })]);
    agent.type('/approve ORD-10001 450.01');
    await agent.expectPrinted(/! bad_request: /);
    agent.type('/approve ORD-10001 450');
    await agent.expectPrinted(/· refund for ORD-10001 approved \(450\)/);
    const told = await until(customer, (f) => f.type === 'message');
    expect(told.at(-1)).toMatchObject({ from: 'assistant', text: TENANT_MESSAGES.refund_approved.en.replace('{amount}', '450.00').replace('{orderId}', 'ORD-10001') });
    agent.type('/approve ORD-10001 450');
    await agent.expectPrinted(/! refund_not_pending: /);
    // The execution on moto ended with the agent's decision as the waiting task's output.
    const sfn = new SFNClient({ endpoint: chat.moto.endpoint, region: chat.region, credentials: { accessKeyId: 'AKIALOCALREFUND00000', secretAccessKey: 'local' } });
    try {
      const machine = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines!.find((m) => m.name === 'support-chat-refund-approval-local')!;
      const executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn }))).executions!;
      const mine = executions.filter((e) => e.name!.includes(conversationId));
      expect(mine).toHaveLength(1);
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: mine[0].executionArn }));
      expect(execution.status).toBe('SUCCEEDED');
      expect(JSON.parse(execution.output!).decision).toMatchObject({ decision: 'approved', orderId: 'ORD-10001', amount: 450, agent: { name: 'Eve' } });
    } finally {
      sfn.destroy();
    }
  });
});
