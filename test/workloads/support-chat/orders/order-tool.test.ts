import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { ALICE_SUB, BOB_SUB, OrderApiEmulator } from '../../../../emulators/order-api/order-api-emulator';
import { OrderCredential, tokenOf } from '../../../../workloads/support-chat/orders/handlers/lib/order-credential';
import { checkedOrderInput, OrderInputError } from '../../../../workloads/support-chat/orders/handlers/lib/order-input';
import { ORDER_TOOL_NAME, OrderTool } from '../../../../workloads/support-chat/orders/handlers/lib/order-tool';

/*
 * The order tool against the order API emulator (plain HTTP on loopback) with its credential in Secrets Manager on moto:
 * the caller's orders only, whatever the API answers; every failure an `error` outcome. The emulators show the tool's
 * behaviour, not AWS's or the company API's.
 */

const TOKEN = 'order-api-token-1';
const SECRET = 'support-chat/order-api';
let moto: MotoServer;
let secrets: SecretsManagerClient;
let api: OrderApiEmulator;
const foreign: number[] = [];

function tool(overrides: Partial<ConstructorParameters<typeof OrderTool>[0]> = {}): OrderTool {
  return new OrderTool({
    baseUrl: api.endpoint,
    credential: new OrderCredential({ client: secrets, secretId: SECRET }),
    onForeignOrders: (n) => foreign.push(n),
    ...overrides,
  });
}

const alice = { sub: ALICE_SUB, timeoutMs: 1000 };

beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await secrets.send(new CreateSecretCommand({ Name: SECRET, SecretString: TOKEN }));
  api = new OrderApiEmulator({ token: TOKEN });
  await api.start();
}, 120_000);

afterAll(async () => {
  secrets?.destroy();
  await api?.close();
  await moto?.stop();
});

beforeEach(() => {
  api.mode = 'normal';
  api.token = TOKEN;
  api.requests.length = 0;
  foreign.length = 0;
});

test('the spec names the tool and its input schema forbids other fields', () => {
  const spec = tool().spec;
  expect(spec.name).toBe(ORDER_TOOL_NAME);
  expect((spec.inputSchema?.json as { additionalProperties?: boolean }).additionalProperties).toBe(false);
});

test('lists the caller\'s latest orders, trimmed: no address, payment, e-mail or customer id', async () => {
  const outcome = await tool().run({ limit: 2 }, alice);
  expect(outcome.status).toBe('success');
  const orders = (outcome.json.orders as { orderId: string }[]);
  expect(orders.map((o) => o.orderId)).toEqual(['ORD-10003', 'ORD-10002']);
  const text = JSON.stringify(outcome.json);
  for (const hidden of ['shippingAddress', 'paymentMethod', 'email', 'customerId', 'Rue de la Paix', '4242', ALICE_SUB]) expect(text).not.toContain(hidden);
  expect(api.requests[0]).toMatchObject({ path: `/customers/${ALICE_SUB}/orders?limit=2`, authorization: `Bearer ${TOKEN}` });
});

test('one order by id (case-insensitive), with status, carrier and tracking', async () => {
  const outcome = await tool().run({ orderId: 'ord-10002' }, alice);
  expect(outcome).toEqual({
    status: 'success',
    json: {
      found: true,
      order: {
        orderId: 'ORD-10002',
        status: 'shipped',
        placedAt: '2026-12-01T15:40:00Z',
        estimatedDelivery: '2026-12-08',
        carrier: 'DHL',
        trackingNumber: 'JD014600003828',
        items: [{ name: 'Coffee mug', quantity: 2 }],
        total: { amount: 24, currency: 'EUR' },
      },
    },
  });
});

test('another customer\'s order id is not found, and the request names the caller, never the model\'s customer', async () => {
  const outcome = await tool().run({ orderId: 'ORD-20001' }, alice);
  expect(outcome).toEqual({ status: 'success', json: { found: false, orderId: 'ORD-20001', message: expect.any(String) } });
  expect(api.requests[0].path).toBe(`/customers/${ALICE_SUB}/orders/ORD-20001`);
  expect(await tool().run({ orderId: 'ORD-20001', customerId: BOB_SUB }, alice)).toMatchObject({ status: 'error', json: { error: 'bad_input' } });
});

test('buggy API: another customer\'s order in the list or by id never reaches the outcome, and is reported', async () => {
  api.mode = 'buggy';
  const list = await tool().run({ limit: 5 }, alice);
  expect(JSON.stringify(list)).not.toMatch(/ORD-200|Headphones|UPS|1Z999/);
  expect((list.json.orders as unknown[]).length).toBe(3);
  const one = await tool().run({ orderId: 'ORD-20002' }, alice);
  expect(one.json).toMatchObject({ found: false });
  expect(JSON.stringify(one)).not.toMatch(/Headphones|1Z999/);
  expect(foreign).toEqual([1, 1]);
});

test.each([
  ['hang', 'timeout'],
  ['error', 'unavailable'],
  ['malformed', 'bad_response'],
] as const)('API %s: an error outcome (%s) within the timeout', async (mode, code) => {
  api.mode = mode;
  const started = Date.now();
  const outcome = await tool().run({}, { ...alice, timeoutMs: 300 });
  expect(outcome).toMatchObject({ status: 'error', json: { error: code, message: expect.any(String) } });
  expect(Date.now() - started).toBeLessThan(2000);
});

test('the turn\'s abort ends a hanging call at once', async () => {
  api.mode = 'hang';
  const controller = new AbortController();
  const pending = tool().run({}, { ...alice, timeoutMs: 10_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  expect(await pending).toMatchObject({ status: 'error', json: { error: 'timeout' } });
});

test('a rotated secret: the API refuses the cached token, the tool reads the secret again once and succeeds', async () => {
  const t = tool();
  expect((await t.run({}, alice)).status).toBe('success');
  await secrets.send(new PutSecretValueCommand({ SecretId: SECRET, SecretString: JSON.stringify({ token: 'order-api-token-2' }) }));
  api.token = 'order-api-token-2';
  expect((await t.run({}, alice)).status).toBe('success');
  expect(api.requests.map((r) => r.status)).toEqual([200, 401, 200]);
  api.token = 'nobody-has-this';
  expect(await t.run({}, alice)).toMatchObject({ status: 'error', json: { error: 'refused' } });
  await secrets.send(new PutSecretValueCommand({ SecretId: SECRET, SecretString: TOKEN }));
});

test('the credential is cached for its TTL and read again after it (Secrets Manager on moto, reads counted)', async () => {
  let now = 0;
  let reads = 0;
  const counted = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  counted.middlewareStack.add((next) => async (args) => { reads++; return next(args); }, { step: 'initialize' });
  await counted.send(new CreateSecretCommand({ Name: 'support-chat/ttl', SecretString: 't1' }));
  reads = 0;
  const credential = new OrderCredential({ client: counted, secretId: 'support-chat/ttl', ttlMs: 1000, now: () => now });
  expect(await Promise.all([credential.get(), credential.get()])).toEqual(['t1', 't1']);
  await counted.send(new PutSecretValueCommand({ SecretId: 'support-chat/ttl', SecretString: 't2' }));
  now = 999;
  expect(await credential.get()).toBe('t1');
  now = 1000;
  expect(await credential.get()).toBe('t2');
  expect(reads).toBe(3);
  counted.destroy();
  expect(() => tokenOf('{"token": 1}')).toThrow(/without a token/);
  expect(() => tokenOf(undefined)).toThrow(/no SecretString/);
});

test.each([
  [null], [[]], ['ORD-1'], [{ orderId: '../../admin' }], [{ orderId: 'ORD 1' }], [{ orderId: 'x'.repeat(33) }], [{ limit: 0 }],
  [{ limit: 6 }], [{ limit: 2.5 }], [{ orderId: 'ORD-10001', limit: 1 }], [{ sub: BOB_SUB }],
])('input %j is refused before any request', async (input) => {
  expect(() => checkedOrderInput(input)).toThrow(OrderInputError);
  expect(await tool().run(input, alice)).toMatchObject({ status: 'error', json: { error: 'bad_input' } });
  expect(api.requests).toHaveLength(0);
});

test('a caller that is not a Cognito sub is refused', async () => {
  expect(await tool().run({}, { sub: '*', timeoutMs: 100 })).toMatchObject({ status: 'error', json: { error: 'bad_input' } });
  expect(api.requests).toHaveLength(0);
});
