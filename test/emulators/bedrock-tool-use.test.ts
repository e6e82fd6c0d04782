import { BedrockRuntimeClient, ConverseStreamCommand, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { BedrockEmulator, emulatorClientConfig, toolResultsOf } from '../../emulators/bedrock-runtime/bedrock-emulator';

/* The Bedrock emulator's scripted tool use, read by the real SDK client: it checks the emulator, not Bedrock. */

let emulator: BedrockEmulator;
let client: BedrockRuntimeClient;
const toolConfig = { tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object' } } } }] };

beforeAll(async () => {
  emulator = new BedrockEmulator();
  await emulator.start();
  client = new BedrockRuntimeClient({ ...emulatorClientConfig(emulator.endpoint), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

async function events(messages: any[], withTools = true): Promise<ConverseStreamOutput[]> {
  const response = await client.send(new ConverseStreamCommand({ modelId: 'eu.test', messages, ...(withTools ? { toolConfig } : {}) }));
  const out: ConverseStreamOutput[] = [];
  for await (const event of response.stream ?? []) out.push(event);
  return out;
}

test('a toolUse answer: text, then a block per call with its input in pieces, stopReason tool_use', async () => {
  emulator.queue({ chunkSize: 4, toolUse: { text: 'One moment.', calls: [{ toolUseId: 'tooluse_1', name: 'lookup', input: { id: 'A-1' } }] } });
  const stream = await events([{ role: 'user', content: [{ text: 'find A-1' }] }]);
  expect(stream.find((e) => e.contentBlockStart)?.contentBlockStart).toEqual({ contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_1', name: 'lookup' } } });
  const input = stream.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
  expect(JSON.parse(input)).toEqual({ id: 'A-1' });
  expect(stream.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('')).toBe('One moment.');
  expect(stream.find((e) => e.messageStop)?.messageStop?.stopReason).toBe('tool_use');
});

test('the next request\'s toolResult blocks are readable by a script; toolUse blocks without toolConfig are refused', async () => {
  emulator.script((request) => ({ answer: `got ${JSON.stringify(toolResultsOf(request).map((r) => r.json))}` }));
  const messages = [
    { role: 'user', content: [{ text: 'find A-1' }] },
    { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'lookup', input: { id: 'A-1' } } }] },
    { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ json: { found: true } }], status: 'success' } }] },
  ];
  const stream = await events(messages);
  expect(stream.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('')).toBe('got [[{"found":true}]]');
  await expect(events(messages, false)).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('toolConfig') });
  emulator.script(undefined);
});
