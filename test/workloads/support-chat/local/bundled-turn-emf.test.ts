import { randomUUID } from 'node:crypto';
import {
  AUTHORIZER_METRICS, SUPPORT_CHAT_METRICS_NAMESPACE, SUPPORT_CHAT_PROFILE_DIMENSION, SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_SERVICES,
  TURN_METRICS,
} from '../../../../contracts/support-chat-metrics';
import { type ChatLocal, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { emfSummary, type EmfTap, tapEmf } from '../../../../workloads/support-chat/local/emf-tap';
import { connect } from '../../../emulators/ws-client';
import { ask, textOf } from '../support/chat-session';

/**
 * A turn through the turn's bundled entry point (the esbuild output the stack ships, Powertools around `runTurn`) behind
 * the local gateway prints the tenant's EMF: namespace `SupportChat`, dimension `service` = `support-chat-turn`, the
 * metrics the alarms read. The emulators (moto, DynamoDB, Bedrock) stand in for AWS; CloudWatch is not involved: the test
 * reads the documents Lambda would hand to CloudWatch Logs.
 */
describe('chat:local with the bundled turn and authorizer entry points (on the emulators)', () => {
  let chat: ChatLocal;
  let tap: EmfTap;
  beforeAll(async () => {
    tap = tapEmf();
    chat = await startChatLocal({ bundledTurn: true, bundledAuthorizer: true, applicationProfiles: true });
  }, 120_000);
  afterAll(async () => {
    await chat?.close();
    tap?.close();
  });

  test('a turn answers and prints the turn\'s EMF with the namespace and dimension the alarms read', async () => {
    const client = await connect(chat.connectUrl(chat.token('customer')));
    try {
      const conversationId = randomUUID();
      const messageId = randomUUID();
      const frames = await ask(client, { conversationId, messageId, text: 'How do I reset my password?' });
      expect(frames.at(-1)?.type).toBe('done');
      expect(textOf(frames).length).toBeGreaterThan(0);
    } finally {
      client.ws.close();
    }
    await chat.settled(5_000);
    const turn = tap.documents.filter((d) => d.members[SUPPORT_CHAT_SERVICE_DIMENSION] === SUPPORT_CHAT_SERVICES.turn && 'Turns' in d.members);
    expect(turn).toHaveLength(1);
    const [document] = turn;
    expect(document.namespace).toBe(SUPPORT_CHAT_METRICS_NAMESPACE);
    expect(document.dimensions).toContainEqual([SUPPORT_CHAT_SERVICE_DIMENSION]);
    expect(document.members).toMatchObject({ Turns: 1, TurnsAnswered: 1, TurnsFailed: 0, Errors: 0 });
    for (const metric of document.metrics) expect(Object.keys(TURN_METRICS)).toContain(metric.name);
    expect(document.metrics.find((m) => m.name === 'TurnLatency')).toMatchObject({ unit: 'Milliseconds', value: expect.any(Number) });
    expect(emfSummary(document)).toMatch(/^EMF SupportChat service=support-chat-turn Turns=1 /);
    // The calls went through the tenant's application profiles (ADR 35), the metrics' profile is still the system one.
    const calls = chat.emulator!.requests.map((r) => [r.operation, r.modelId]);
    expect(calls).toEqual([['Converse', chat.applicationProfiles![chat.models.classifier]], ['ConverseStream', chat.applicationProfiles![chat.models.fast]]]);
    expect(calls.every(([, modelId]) => /^arn:aws:bedrock:[a-z0-9-]+:123456789012:application-inference-profile\/local[a-z0-9]+$/.test(modelId))).toBe(true);
    expect(tap.documents.find((d) => SUPPORT_CHAT_PROFILE_DIMENSION in d.members)?.members[SUPPORT_CHAT_PROFILE_DIMENSION]).toBe(chat.models.fast);
    // The entry point's logs carry the function's name from the Lambda context, and the turn's end.
    expect(tap.logs).toContainEqual(expect.objectContaining({ message: 'turn ended', function_name: 'support-chat-turn', service: SUPPORT_CHAT_SERVICES.turn }));
  });

  test('the $connect authorizer\'s entry point counts the connection it allowed and the token it refused, with its own service dimension', async () => {
    const before = tap.documents.length;
    const client = await connect(chat.connectUrl(chat.token('customer')));
    client.ws.close();
    // The entry point logs each refusal with console.warn (jest's console here; Lambda's log stream when deployed).
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(connect(chat.connectUrl(`${chat.token('customer')}x`))).rejects.toThrow();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('connection refused by the authorizer'));
    } finally {
      warn.mockRestore();
    }
    const authorizer = tap.documents.slice(before).filter((d) => d.members[SUPPORT_CHAT_SERVICE_DIMENSION] === SUPPORT_CHAT_SERVICES.authorizer);
    expect(authorizer).toHaveLength(2);
    for (const document of authorizer) {
      expect(document.namespace).toBe(SUPPORT_CHAT_METRICS_NAMESPACE);
      expect(document.dimensions).toContainEqual([SUPPORT_CHAT_SERVICE_DIMENSION]);
      for (const metric of document.metrics) expect(Object.keys(AUTHORIZER_METRICS)).toContain(metric.name);
    }
    expect(authorizer.map((d) => d.members)).toEqual([
      expect.objectContaining({ ConnectionsAuthorized: 1, ConnectionsRefused: 0, Errors: 0 }),
      expect.objectContaining({ ConnectionsAuthorized: 0, ConnectionsRefused: 1, Errors: 0 }),
    ]);
  });
});
