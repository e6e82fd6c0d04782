import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateStateMachineCommand, DescribeExecutionCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { WebhookReceiver } from '../../../../emulators/webhook-receiver/webhook-receiver';
import { defaultChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { ConnectionIndex } from '../../../../workloads/support-chat/chat/handlers/lib/connection-index';
import { userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { createRelay } from '../../../../workloads/support-chat/chat/handlers/relay-core';
import { runTurn, type TurnDependencies, type TurnLimits, type TurnOutcome, type TurnRequest } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { HAND_OFF_EVENT, type HandOffDetail } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-events';
import { handOffKey, HandOffService } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-service';
import { RefundApprovals } from '../../../../workloads/support-chat/handoff/handlers/lib/refund-approvals';
import { outcomeText, type RefundStepDependencies, runRefundStep } from '../../../../workloads/support-chat/handoff/handlers/lib/refund-workflow-steps';
import { openTickets, ticketKey, type TicketConnectorProps } from '../../../../workloads/support-chat/handoff/handlers/lib/ticket-connector';
import { TENANT_MESSAGES } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { requestApprovalState } from '../../../../workloads/support-chat/local/local-refund-workflow';
import { ORDER_TOOL_NAME } from '../../../../workloads/support-chat/orders/handlers/lib/order-tool';
import { tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import { startTurnEmulators, type TurnEmulators } from '../support/turn-emulators';

/*
 * The hand-off end to end on emulators: the turn (DynamoDB and Bedrock emulators) publishes the hand-off on an
 * EventBridge bus whose rule targets an SQS queue with a dead-letter queue (moto), the connector takes the queue's
 * messages and opens the ticket on the webhook receiver. moto delivers the rule's target and moves a message to the
 * dead-letter queue after `maxReceiveCount` receives; neither is proof of what AWS does beyond the documented behaviour
 * they mimic. The event source mapping (receive, call the connector, delete what it did not report failed) is this test's.
 */

const REGION = 'eu-central-1';
const SUB = '0b7c6e1e-6a0c-4d6a-9a2e-5f1f2b3c4d5e';
const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const CREDENTIALS = { accessKeyId: 'AKIAHANDOFFFLOW00000', secretAccessKey: 'hand-off-flow-secret' };
const API_KEY = 'hand-off-test-api-key';
const BUS = 'support-chat-handoff';
const config = exampleConfig();
const defaults = defaultChatSettings(tenantModels(config, REGION));
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 5 };

let emulators: TurnEmulators;
let moto: MotoServer;
let webhook: WebhookReceiver;
let events: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;
let handOff: HandOffService;

beforeAll(async () => {
  [emulators, moto] = await Promise.all([startTurnEmulators({ region: REGION, credentials: CREDENTIALS }), startMoto()]);
  webhook = new WebhookReceiver({ apiKey: API_KEY });
  await webhook.start();
  const aws = { endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS };
  events = new EventBridgeClient(aws);
  sqs = new SQSClient(aws);
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'handoff-dlq' }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  queueUrl = (await sqs.send(new CreateQueueCommand({
    QueueName: 'handoff',
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
  }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await events.send(new CreateEventBusCommand({ Name: BUS }));
  await events.send(new PutRuleCommand({
    Name: 'handoff-to-queue',
    EventBusName: BUS,
    EventPattern: JSON.stringify({ 'source': [HAND_OFF_EVENT.source], 'detail-type': [HAND_OFF_EVENT.detailType] }),
  }));
  await events.send(new PutTargetsCommand({ Rule: 'handoff-to-queue', EventBusName: BUS, Targets: [{ Id: 'queue', Arn: queueArn }] }));
  handOff = new HandOffService({
    tableName: emulators.tableName,
    clientFor: async () => emulators.client,
    events,
    busName: BUS,
    policy: { unresolvedTurns: 3, refundApprovalThreshold: 500 },
    retentionDays: 90,
  });
}, 300_000);

afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await Promise.all([emulators?.stop(), moto?.stop(), webhook?.close()]);
});

beforeEach(() => {
  emulators.bedrockEmulator.reset();
  emulators.bedrockEmulator.script(withLocalClassifier());
});

function deps(overrides: Partial<TurnDependencies> = {}): TurnDependencies {
  return emulators.dependencies({ limits, settings: defaults, guardrailName: 'handoff1' }, { handOff, ...overrides });
}

async function turn(request: Omit<TurnRequest, 'sub' | 'action'>, overrides: Partial<TurnDependencies> = {}): Promise<{ frames: Frame[]; outcome: TurnOutcome }> {
  const frames: Frame[] = [];
  const outcome = await runTurn({ action: 'sendMessage', sub: SUB, ...request }, deps(overrides), async (data) => {
    frames.push(JSON.parse(data) as Frame);
  });
  return { frames, outcome };
}

/** Every message on a queue now (moto delivers a rule's target during PutEvents). */
async function drain(url: string): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  for (;;) {
    const batch = await receive(url, 30);
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

interface QueueMessage { readonly messageId: string; readonly body: string; readonly receiptHandle: string }

/** One receive (as one poll of the event source mapping); `visibilityTimeout` 0: the message is visible again at once. */
async function receive(url: string, visibilityTimeout: number): Promise<QueueMessage[]> {
  const request = { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: visibilityTimeout };
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand(request));
  return Messages.map((m) => ({ messageId: m.MessageId!, body: m.Body!, receiptHandle: m.ReceiptHandle! }));
}

const connector = (): TicketConnectorProps => ({
  tableName: emulators.tableName, client: emulators.client, webhookUrl: webhook.url, apiKey: async () => API_KEY, timeoutMs: 2_000,
});

/** What the Lambda event source mapping does with one batch: the connector, then delete what it did not report failed. */
async function deliver(messages: QueueMessage[]): Promise<string[]> {
  const { batchItemFailures } = await openTickets(messages, connector());
  const failed = batchItemFailures.map((f) => f.itemIdentifier);
  await Promise.all(messages.filter((m) => !failed.includes(m.messageId))
    .map((m) => sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.receiptHandle }))));
  return failed;
}

describe('a message that asks for a person (moto EventBridge and SQS, webhook receiver)', () => {
  test('is answered with the escalation notice, no model call, one hand-off on the queue and one ticket on the webhook', async () => {
    const { frames, outcome } = await turn({ conversationId: 'human1', messageId: 'm1', text: 'I want to talk to a human, please.' });
    expect(outcome).toMatchObject({ result: 'handed_off', code: 'handed_off' });
    expect(frames.map((f) => f.type)).toEqual(['chunk', 'done']);
    expect(frames[0]).toMatchObject({ text: TENANT_MESSAGES.escalation_notice.en });
    expect(frames[1]).toMatchObject({ handedOff: true, seq: 1 });
    expect(emulators.bedrockEmulator.requests).toHaveLength(0);
    const messages = await drain(queueUrl);
    expect(messages).toHaveLength(1);
    const detail = (JSON.parse(messages[0].body) as { detail: HandOffDetail }).detail;
    expect(detail).toMatchObject({ conversationId: 'human1', reason: 'human_requested', customer: { sub: SUB, tier: 'standard', language: 'en' } });
    expect(detail.transcript).toEqual([expect.objectContaining({ role: 'user', text: 'I want to talk to a human, please.' })]);
    expect(await deliver(messages)).toEqual([]);
    expect(webhook.received).toHaveLength(1);
    expect(webhook.received[0].headers).toMatchObject({ 'x-api-key': API_KEY, 'idempotency-key': detail.handOffId });
    const { Item } = await emulators.client.send(new GetCommand({ TableName: emulators.tableName, Key: ticketKey(SUB, 'human1', detail.handOffId) }));
    expect(Item).toMatchObject({ ticketId: 'T-1', handOffId: detail.handOffId });
    // A redelivery of the same message (SQS is at least once) opens no second ticket and calls no webhook.
    expect(await deliver(messages)).toEqual([]);
    expect(webhook.received).toHaveLength(1);
  });

  test('then the assistant stays silent: the message is stored, a done frame marked handedOff, no model call, no second hand-off', async () => {
    const { frames, outcome } = await turn({ conversationId: 'human1', messageId: 'm2', text: 'Hello? Where is my parcel?' });
    expect(outcome).toMatchObject({ result: 'handed_off', code: 'with_agent' });
    expect(frames).toEqual([expect.objectContaining({ type: 'done', seq: 0, handedOff: true })]);
    expect(emulators.bedrockEmulator.requests).toHaveLength(0);
    expect((await emulators.store.find(SUB, 'human1', 'm2'))?.message.text).toBe('Hello? Where is my parcel?');
    const again = await turn({ conversationId: 'human1', messageId: 'm3', text: 'I want to talk to a human!' });
    expect(again.outcome.code).toBe('with_agent');
    expect(await drain(queueUrl)).toHaveLength(0);
  });

  test('a resume of the escalated message replays the notice', async () => {
    const frames: Frame[] = [];
    const outcome = await runTurn({ action: 'resume', sub: SUB, conversationId: 'human1', messageId: 'm1' }, deps(), async (d) => {
      frames.push(JSON.parse(d) as Frame);
    });
    expect(outcome.result).toBe('replayed');
    expect(frames[0]).toMatchObject({ type: 'chunk', text: TENANT_MESSAGES.escalation_notice.en });
  });

  test('after an agent closed it, a new hand-off opens a second ticket; its redelivery and the first one\'s open none', async () => {
    const first = (await emulators.client.send(new GetCommand({ TableName: emulators.tableName, Key: { pk: userKey(SUB), sk: handOffKey('human1') } }))).Item!;
    await handOff.close(SUB, 'human1');
    const before = webhook.received.length;
    const { outcome } = await turn({ conversationId: 'human1', messageId: 'm4', text: 'I want to talk to a human again, please.' });
    expect(outcome).toMatchObject({ result: 'handed_off', code: 'handed_off' });
    const messages = await drain(queueUrl);
    expect(messages).toHaveLength(1);
    const detail = (JSON.parse(messages[0].body) as { detail: HandOffDetail }).detail;
    expect(detail.handOffId).not.toBe(first.handOffId);
    expect(await deliver(messages)).toEqual([]);
    expect(await deliver(messages)).toEqual([]);
    expect(webhook.received.slice(before).map((r) => r.headers['idempotency-key'])).toEqual([detail.handOffId]);
    const tickets = await Promise.all([first.handOffId as string, detail.handOffId].map(async (id) =>
      (await emulators.client.send(new GetCommand({ TableName: emulators.tableName, Key: ticketKey(SUB, 'human1', id) }))).Item?.ticketId as string | undefined));
    expect(tickets[0]).toBe('T-1');
    expect(tickets[1]).toMatch(/^T-/);
    expect(tickets[1]).not.toBe(tickets[0]);
  });
});

describe('the other triggers through the turn', () => {
  test('a conversation not handed off is answered by the model', async () => {
    const { outcome } = await turn({ conversationId: 'plain1', messageId: 'm1', text: 'Where is my parcel?' });
    expect(outcome.result).toBe('answered');
    expect(await drain(queueUrl)).toHaveLength(0);
  });

  test('a third unresolved question hands off with unresolved_turns, in the customer\'s language', async () => {
    await turn({ conversationId: 'unresolved1', messageId: 'm1', text: '¿Dónde está mi paquete?' });
    await turn({ conversationId: 'unresolved1', messageId: 'm2', text: '¿Y cuándo llegará mi paquete?' });
    await turn({ conversationId: 'unresolved1', messageId: 'm3', text: '¿Me puede dar el número de seguimiento?' });
    const { frames, outcome } = await turn({ conversationId: 'unresolved1', messageId: 'm4', text: '¿Dónde está mi paquete ahora?' });
    expect(outcome.result).toBe('handed_off');
    expect(frames[0]).toMatchObject({ type: 'chunk', text: TENANT_MESSAGES.escalation_notice.es });
    const [message] = await drain(queueUrl);
    const detail = (JSON.parse(message.body) as { detail: HandOffDetail }).detail;
    expect(detail).toMatchObject({ reason: 'unresolved_turns', customer: { language: 'es' } });
    expect(detail.transcript.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
  });

  test('the hand-off carries the orders the order tool looked up in the conversation (stored tool calls), not failed or other tools\' calls', async () => {
    const order = { orderId: 'ORD-10002', status: 'shipped', carrier: 'DHL', items: [{ name: 'Kettle', quantity: 1 }] };
    const call = { conversationId: 'orders1', messageId: 'm1', round: 0, toolUseId: 't1', input: {} };
    await turn({ conversationId: 'orders1', messageId: 'm1', text: 'Where is my order ORD-10002?' });
    await emulators.store.putToolCall(SUB, { ...call, index: 0, name: ORDER_TOOL_NAME, status: 'success', result: { found: true, order } });
    await emulators.store.putToolCall(SUB, { ...call, index: 1, name: ORDER_TOOL_NAME, status: 'error', result: { error: 'timeout', orders: [{ orderId: 'ORD-X' }] } });
    await emulators.store.putToolCall(SUB, { ...call, index: 2, name: 'other_tool', status: 'success', result: { orders: [{ orderId: 'ORD-Y' }] } });
    await turn({ conversationId: 'orders1', messageId: 'm2', text: 'I want to talk to a human.' });
    const [message] = await drain(queueUrl);
    expect((JSON.parse(message.body) as { detail: HandOffDetail }).detail.orders).toEqual([order]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
  });
});

describe('a failing webhook', () => {
  test('fails the record each time; after maxReceiveCount the hand-off is on the dead-letter queue and no ticket is stored', async () => {
    await turn({ conversationId: 'legal1', messageId: 'm1', text: 'If this is not fixed I will sue you.' });
    webhook.failNext(100);
    const before = webhook.received.length;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const messages = await receive(queueUrl, 0);
      expect(messages).toHaveLength(1);
      expect(await deliver(messages)).toEqual([messages[0].messageId]);
    }
    expect(await receive(queueUrl, 0)).toHaveLength(0);
    const dead = await drain(dlqUrl);
    expect(dead).toHaveLength(1);
    const deadDetail = (JSON.parse(dead[0].body) as { detail: HandOffDetail }).detail;
    expect(deadDetail).toMatchObject({ conversationId: 'legal1', reason: 'legal_threat' });
    expect(webhook.received.length - before).toBe(3);
    const { Item } = await emulators.client.send(new GetCommand({ TableName: emulators.tableName, Key: ticketKey(SUB, 'legal1', deadDetail.handOffId) }));
    expect(Item?.ticketId).toBeUndefined();
    webhook.failNext(0);
  });
});

describe('a publish that fails', () => {
  test('ends the turn with internal; the next message publishes the stored hand-off once, and the assistant stays silent', async () => {
    const unreachable = new EventBridgeClient({ endpoint: 'http://127.0.0.1:9', region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    const failing = new HandOffService({
      tableName: emulators.tableName,
      clientFor: async () => emulators.client,
      events: unreachable,
      busName: BUS,
      policy: { unresolvedTurns: 3, refundApprovalThreshold: 500 },
      retentionDays: 90,
    });
    const first = await turn({ conversationId: 'publish1', messageId: 'm1', text: 'Let me speak to a real person.' }, { handOff: failing });
    unreachable.destroy();
    expect(first.outcome).toMatchObject({ result: 'failed', code: 'internal' });
    expect(first.frames).toEqual([expect.objectContaining({ type: 'error', code: 'internal' })]);
    expect(await drain(queueUrl)).toHaveLength(0);
    const next = await turn({ conversationId: 'publish1', messageId: 'm2', text: 'Hello?' });
    expect(next.outcome).toMatchObject({ result: 'handed_off', code: 'with_agent' });
    const messages = await drain(queueUrl);
    expect(messages).toHaveLength(1);
    const detail = (JSON.parse(messages[0].body) as { detail: HandOffDetail }).detail;
    expect(detail).toMatchObject({ conversationId: 'publish1', reason: 'human_requested', transcript: [expect.objectContaining({ text: 'Let me speak to a real person.' })] });
    await turn({ conversationId: 'publish1', messageId: 'm3', text: 'Anyone?' });
    expect(await drain(queueUrl)).toHaveLength(0);
    await Promise.all(messages.map((m) => sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.receiptHandle }))));
  });
});

describe('the connector against a hostile or failing webhook and bad messages', () => {
  const record = (conversationId: string, handOffId = `${SUB}:${conversationId}:1`) => ({
    messageId: `sqs-${conversationId}-${Math.random()}`,
    body: JSON.stringify({
      'source': HAND_OFF_EVENT.source,
      'detail-type': HAND_OFF_EVENT.detailType,
      'detail': { handOffId, conversationId, customer: { sub: SUB, tier: 'standard', language: 'en' }, reason: 'legal_threat', summary: 's', transcript: [], sentimentTrend: [] },
    }),
  });

  test('a body that is not a hand-off event, or names a bad id, fails without calling the webhook', async () => {
    const before = webhook.received.length;
    const bad = [
      { messageId: 'a', body: 'not json' },
      { messageId: 'b', body: JSON.stringify({ 'source': 'someone.else', 'detail-type': HAND_OFF_EVENT.detailType, 'detail': {} }) },
      { messageId: 'c', body: record('bad id with spaces').body },
      { messageId: 'd', body: JSON.stringify({ 'source': HAND_OFF_EVENT.source, 'detail-type': HAND_OFF_EVENT.detailType, 'detail': { conversationId: 'x' } }) },
      { messageId: 'e', body: record('ok1', `${SUB}:ok1:1#CONV#other`).body },
    ];
    const { batchItemFailures } = await openTickets(bad, connector());
    expect(batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(webhook.received.length).toBe(before);
  });

  test('a wrong API key (401), an answer without a ticketId and a webhook that hangs past the timeout each fail; the lease is given back', async () => {
    const wrongKey = await openTickets([record('hostile1')], { ...connector(), apiKey: async () => 'not-the-key' });
    expect(wrongKey.batchItemFailures).toHaveLength(1);
    webhook.hangNext(1);
    const hung = await openTickets([record('hostile1')], { ...connector(), timeoutMs: 200 });
    expect(hung.batchItemFailures).toHaveLength(1);
    const noTicket = await openTickets([record('hostile1')], {
      ...connector(), fetch: async () => new Response(JSON.stringify({ id: 'T-x' }), { status: 200 }),
    });
    expect(noTicket.batchItemFailures).toHaveLength(1);
    const { Item } = await emulators.client.send(new GetCommand({ TableName: emulators.tableName, Key: ticketKey(SUB, 'hostile1', `${SUB}:hostile1:1`) }));
    expect(Item).toMatchObject({ leaseUntil: 0 });
    expect(Item?.ticketId).toBeUndefined();
    // Then the webhook works again: the next delivery opens the ticket.
    expect((await openTickets([record('hostile1')], connector())).batchItemFailures).toEqual([]);
  });

  test('the same hand-off delivered twice at once opens one ticket: one delivery holds the lease, the other fails and finds the ticket on its retry', async () => {
    const [a, b] = await Promise.all([openTickets([record('race1')], connector()), openTickets([record('race1')], connector())]);
    expect(a.batchItemFailures.length + b.batchItemFailures.length).toBeLessThanOrEqual(1);
    expect((await openTickets([record('race1')], connector())).batchItemFailures).toEqual([]);
    // Counted on the webhook's requests, not its tickets (the receiver would deduplicate a second post by its key).
    expect(webhook.received.filter((r) => r.headers['idempotency-key'] === `${SUB}:race1:1`)).toHaveLength(1);
  });
});

/*
 * The refund approval's callback on moto's Step Functions, which runs a state machine only when told to
 * (`execute_state_machine`). moto cannot run the deployed workflow's Lambda tasks (no Lambda runtime here), so the
 * waiting task of this test's machine is `sqs:sendMessage.waitForTaskToken` to a moto queue: moto issues a real task
 * token, waits for `SendTaskSuccess`/`SendTaskFailure` and times the task out as the deployed task's `TimeoutSeconds`
 * does; the test hands the token to the workflow function's `request` step as Lambda would. The deployed definition's
 * shape (Lambda `.waitForTaskToken`, the catches, logging, tracing, encryption) is checked on the synthesized template.
 */
describe('a refund over the threshold waits for an agent\'s approval (moto Step Functions callback, DynamoDB emulator)', () => {
  const AGENT = { sub: '5d1f0c2a-8b3e-4c7d-9e6f-a1b2c3d4e5f6', name: 'Dana' };
  let sfn: SFNClient;
  let approvals: RefundApprovals;
  let index: ConnectionIndex;
  let approvalQueueUrl: string;
  let machine: (timeoutSeconds: number) => Promise<string>;
  const posted: { connectionId: string; frame: Frame }[] = [];
  const gone = new Set<string>();
  const steps = (): RefundStepDependencies => ({
    approvals,
    index,
    post: async (connectionId, frame) => {
      if (gone.has(connectionId)) throw Object.assign(new Error('gone'), { name: 'GoneException', $metadata: { httpStatusCode: 410 } });
      posted.push({ connectionId, frame: JSON.parse(frame) as Frame });
    },
  });

  beforeAll(async () => {
    const motoConfig = await fetch(`${moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
    expect(motoConfig.status).toBe(201);
    sfn = new SFNClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
    approvals = new RefundApprovals({ tableName: emulators.tableName, client: emulators.client, stepFunctions: sfn });
    index = new ConnectionIndex({ tableName: emulators.tableName, client: emulators.client });
    approvalQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'refund-approvals' }))).QueueUrl!;
    const machines = new Map<number, string>();
    machine = async (timeoutSeconds) => {
      if (!machines.has(timeoutSeconds)) {
        const definition = {
          StartAt: 'RequestApproval',
          States: {
            RequestApproval: requestApprovalState(approvalQueueUrl, timeoutSeconds, 'Decided', 'Expired'),
            Decided: { Type: 'Choice', Choices: [{ Variable: '$.decision.decision', StringEquals: 'approved', Next: 'Approved' }], Default: 'Rejected' },
            Approved: { Type: 'Pass', Parameters: { 'outcome': 'approved', 'decision.$': '$.decision' }, End: true },
            Rejected: { Type: 'Pass', Parameters: { 'outcome': 'rejected', 'decision.$': '$.decision' }, End: true },
            Expired: { Type: 'Pass', Parameters: { outcome: 'expired' }, End: true },
          },
        };
        const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({
          name: `refund-approval-${timeoutSeconds}`, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/refund-approval',
        }));
        machines.set(timeoutSeconds, stateMachineArn!);
      }
      return machines.get(timeoutSeconds)!;
    };
  });

  afterAll(() => sfn?.destroy());

  /** A hand-off for a refund over the threshold, for order ORD-10001 of the conversation. */
  const refundHandOff = (conversationId: string): HandOffDetail => ({
    conversationId,
    customer: { sub: SUB, tier: 'standard', language: 'de' },
    reason: 'refund_over_limit',
    summary: 'Handed off because a refund over the approval threshold was asked for',
    transcript: [{ role: 'user', text: 'Ich möchte eine Rückerstattung von 1.250,50 € für ORD-10001', at: '2026-12-07T10:00:00.000Z' }],
    orders: [{ orderId: 'ORD-10001', status: 'delivered' }],
    sentimentTrend: [0],
    handOffId: `${SUB}:${conversationId}:1765101600000`,
  });

  /** Starts the workflow with the hand-off event and runs the function's `request` step with the token it sends. */
  async function awaitingApproval(
    conversationId: string, timeoutSeconds = 60, storedSeconds = timeoutSeconds,
  ): Promise<{ executionArn: string; taskToken: string }> {
    const input = JSON.stringify({ detail: refundHandOff(conversationId) });
    const stateMachineArn = await machine(timeoutSeconds);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: conversationId, input }));
    for (let polls = 0; polls < 400; polls++) {
      if (polls > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: approvalQueueUrl, MaxNumberOfMessages: 10 }));
      for (const m of Messages) {
        const body = JSON.parse(m.Body!) as { taskToken: string; handOff: HandOffDetail };
        await sqs.send(new DeleteMessageCommand({ QueueUrl: approvalQueueUrl, ReceiptHandle: m.ReceiptHandle! }));
        if (body.handOff.conversationId !== conversationId) continue;
        await runRefundStep({ step: 'request', taskToken: body.taskToken, handOff: body.handOff, timeoutSeconds: storedSeconds }, steps());
        return { executionArn: executionArn!, taskToken: body.taskToken };
      }
    }
    throw new Error(`the workflow of ${conversationId} sent no approval request`);
  }

  /** The execution once it is no longer running (moto runs it on a thread of its own). */
  async function finished(executionArn: string): Promise<{ status: string; output: Record<string, any> }> {
    for (let polls = 0; polls < 200; polls++) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== 'RUNNING') return { status: execution.status!, output: JSON.parse(execution.output ?? '{}') };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${executionArn} is still running`);
  }

  test('the request is listed with the hand-off\'s orders and the amount asked for; an approval within it succeeds the task once', async () => {
    const { executionArn, taskToken } = await awaitingApproval('refund1');
    expect((await approvals.pending()).find((p) => p.conversationId === 'refund1')).toMatchObject({ customer: SUB, orderIds: ['ORD-10001'], requestedAmount: 1250.5 });
    expect(await approvals.decide(SUB, 'refund1', AGENT, { approve: true, orderId: 'ORD-10001', amount: 1250.5 })).toBeUndefined();
    expect(await finished(executionArn)).toEqual({
      status: 'SUCCEEDED', output: { outcome: 'approved', decision: { decision: 'approved', orderId: 'ORD-10001', amount: 1250.5, agent: AGENT } },
    });
    // Used once: a second decision finds nothing pending, and Step Functions itself refuses the used token.
    expect(await approvals.decide(SUB, 'refund1', AGENT, { approve: true, orderId: 'ORD-10001', amount: 1 })).toBe('refund_not_pending');
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({ name: 'InvalidToken' });
    expect((await approvals.pending()).some((p) => p.conversationId === 'refund1')).toBe(false);
  });

  test('another order, an amount over the one asked for or of three decimals are refused with the request still waiting; a rejection ends it rejected', async () => {
    const { executionArn } = await awaitingApproval('refund2');
    expect(await approvals.decide(SUB, 'refund2', AGENT, { approve: true, orderId: 'ORD-20002', amount: 10 })).toBe('order_not_in_hand_off');
    expect(await approvals.decide(SUB, 'refund2', AGENT, { approve: true, orderId: 'ORD-10001', amount: 1250.51 })).toBe('bad_request');
    expect(await approvals.decide(SUB, 'refund2', AGENT, { approve: true, orderId: 'ORD-10001', amount: 10.005 })).toBe('bad_request');
    expect(await approvals.decide(OTHER, 'refund2', AGENT, { approve: true, orderId: 'ORD-10001', amount: 10 })).toBe('refund_not_pending');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    expect(await approvals.decide(SUB, 'refund2', AGENT, { approve: false, orderId: 'ORD-10001', reason: 'outside the return window' })).toBeUndefined();
    const { status, output } = await finished(executionArn);
    expect(status).toBe('SUCCEEDED');
    expect(output).toEqual({ outcome: 'rejected', decision: { decision: 'rejected', orderId: 'ORD-10001', agent: AGENT, reason: 'outside the return window' } });
  });

  test('Step Functions failing the callback (a recorded 503 before it leaves): the request is put back, the agent decides again and the task succeeds once', async () => {
    const { executionArn } = await awaitingApproval('refund5');
    const failing = new SFNClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
    failing.middlewareStack.add(() => async () => {
      throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    }, { step: 'initialize', name: 'refuse-callback' });
    try {
      const unanswered = new RefundApprovals({ tableName: emulators.tableName, client: emulators.client, stepFunctions: failing });
      await expect(unanswered.decide(SUB, 'refund5', AGENT, { approve: true, orderId: 'ORD-10001', amount: 20 })).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    } finally {
      failing.destroy();
    }
    expect((await approvals.pending()).find((p) => p.conversationId === 'refund5')).toMatchObject({ customer: SUB, orderIds: ['ORD-10001'] });
    expect(await approvals.decide(SUB, 'refund5', AGENT, { approve: true, orderId: 'ORD-10001', amount: 20 })).toBeUndefined();
    expect((await finished(executionArn)).output).toMatchObject({ outcome: 'approved', decision: { amount: 20 } });
    expect((await approvals.pending()).some((p) => p.conversationId === 'refund5')).toBe(false);
  });

  test('an approval after the task timed out is refund_not_pending: Step Functions no longer takes the token, and the workflow ended expired', async () => {
    // The stored request outlives the task (60 s against 1 s), so the decision reaches Step Functions with an expired token.
    const { executionArn } = await awaitingApproval('refund3', 1, 60);
    expect((await finished(executionArn)).output).toEqual({ outcome: 'expired' });
    expect(await approvals.decide(SUB, 'refund3', AGENT, { approve: true, orderId: 'ORD-10001', amount: 100 })).toBe('refund_not_pending');
    expect((await approvals.pending()).some((p) => p.conversationId === 'refund3')).toBe(false);
  });

  test('a hand-off without an amount or an order stores nothing; the workflow\'s task fails', async () => {
    const noAmount = { ...refundHandOff('refund4'), transcript: [{ role: 'user' as const, text: 'refund ORD-10001 please', at: '2026-12-07T10:00:00.000Z' }] };
    await expect(runRefundStep({ step: 'request', taskToken: 'token', handOff: noAmount, timeoutSeconds: 60 }, steps())).rejects.toThrow(/no refund amount/);
    await expect(runRefundStep({ step: 'request', taskToken: 'token', handOff: { ...refundHandOff('refund4'), orders: [] }, timeoutSeconds: 60 }, steps()))
      .rejects.toThrow(/no order/);
    expect((await approvals.pending()).some((p) => p.conversationId === 'refund4')).toBe(false);
  });

  test('the customer is told the outcome in their language on their live connections; a gone connection leaves the index', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    await index.add(SUB, 'refund5', { connectionId: 'customer-a', role: 'customer', expiresAt: exp });
    await index.add(SUB, 'refund5', { connectionId: 'customer-gone', role: 'customer', expiresAt: exp });
    await index.add(SUB, 'refund5', { connectionId: 'agent-a', role: 'agent', agentSub: AGENT.sub, name: AGENT.name, expiresAt: exp });
    gone.add('customer-gone');
    const detail = refundHandOff('refund5');
    const decision = { decision: 'approved' as const, orderId: 'ORD-10001', amount: 1250.5, agent: AGENT };
    expect(await runRefundStep({ step: 'notify', handOff: detail, decision }, steps())).toEqual({ notified: 1 });
    const text = TENANT_MESSAGES.refund_approved.de.replace('{amount}', '1250.50').replace('{orderId}', 'ORD-10001');
    expect(posted).toEqual([{
      connectionId: 'customer-a',
      frame: expect.objectContaining({ type: 'message', from: 'assistant', conversationId: 'refund5', messageId: 'refund-1765101600000', text }),
    }]);
    expect((await index.connections(SUB, 'refund5')).map((c) => c.connectionId).sort()).toEqual(['agent-a', 'customer-a']);
    const rejected = { decision: 'rejected' as const, orderId: 'ORD-10001', agent: AGENT, reason: '' };
    expect(outcomeText({ step: 'notify', handOff: detail, decision: rejected })).toBe(TENANT_MESSAGES.refund_rejected.de.replace('{orderId}', 'ORD-10001'));
    expect(outcomeText({ step: 'notify', handOff: detail })).toBe(TENANT_MESSAGES.refund_expired.de);
    expect(() => outcomeText({ step: 'notify', handOff: detail, decision: { ...rejected, decision: 'maybe' } as never })).toThrow(/approved or rejected/);
  });

  test('through the relay: only a joined agent decides, with a checked body; the agent gets done or the refusal', async () => {
    await awaitingApproval('refund6');
    const exp = String(Math.floor(Date.now() / 1000) + 600);
    const frames: Frame[] = [];
    const relay = createRelay({
      invokeTurn: () => { throw new Error('a refund decision never reaches the turn'); },
      post: async (_, frame) => { frames.push(JSON.parse(frame) as Frame); },
      disconnect: async () => undefined,
      connectionIndex: index,
      refunds: approvals,
    });
    const send = async (body: Record<string, unknown>, groups = 'agent') => {
      frames.length = 0;
      await relay({ body: JSON.stringify({ customer: SUB, conversationId: 'refund6', messageId: 'm1', ...body }), requestContext: { routeKey: '$default', connectionId: 'agent-b', authorizer: { sub: AGENT.sub, groups, exp, name: AGENT.name } } });
      return frames.map((f) => (f.type === 'error' ? f.code : f.type));
    };
    const approve = { action: 'approveRefund', orderId: 'ORD-10001', amount: 99.99 };
    expect(await send(approve, 'customer')).toEqual(['forbidden']);
    expect(await send(approve)).toEqual(['not_joined']);
    await index.add(SUB, 'refund6', { connectionId: 'agent-b', role: 'agent', agentSub: AGENT.sub, name: AGENT.name, expiresAt: Number(exp) });
    expect(await send({ ...approve, amount: '99.99' })).toEqual(['bad_request']);
    expect(await send({ ...approve, amount: -5 })).toEqual(['bad_request']);
    expect(await send({ ...approve, orderId: 'ORD 1' })).toEqual(['bad_request']);
    expect(await send({ action: 'rejectRefund', orderId: 'ORD-10001', reason: 7 })).toEqual(['bad_request']);
    expect(await send(approve)).toEqual(['done']);
    expect(await send(approve)).toEqual(['refund_not_pending']);
  });
});
