import { runSimulation } from '@cloud-copilot/iam-simulate';
import { toolCallKey, userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { conversationSessionPolicy } from '../../../../workloads/support-chat/chat/handlers/lib/session-policy';

/*
 * A stored tool call sits in its user's partition (`USER#<sub>`), so the session policy the turn assumes the data role
 * with confines it as it confines messages: PutItem (putToolCall) and Query (toolCalls) on the user's own tool items are
 * allowed, on another user's denied, evaluated with iam-simulate as AWS combines the role's policy and the session policy.
 */

const ACCOUNT = '741852096357';
const TABLE_ARN = `arn:aws:dynamodb:eu-central-1:${ACCOUNT}:table/support-chat-conversations`;
const ALICE = '6f1c2a4e-1b7d-4c59-9a3e-2d8f0b6c7a11';
const BOB = '9b2d4e6f-3c8a-4d71-8e5f-1a2b3c4d5e6f';
const ROLE_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:Query'], Resource: TABLE_ARN }] };

async function decide(action: string, partition: string): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/support-chat-conversation-data/${ALICE}`,
      action,
      resource: { resource: TABLE_ARN, accountId: ACCOUNT },
      contextVariables: { 'aws:RequestedRegion': 'eu-central-1', 'dynamodb:LeadingKeys': [partition] },
    },
    identityPolicies: [{ name: 'role', policy: ROLE_POLICY }],
    sessionPolicy: conversationSessionPolicy(TABLE_ARN, ALICE),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

test('a tool call\'s key is in the conversation\'s own prefix, apart from the messages the history reads', () => {
  expect(toolCallKey('c1', 'm1', 0, 1)).toBe('CONV#c1#TOOL#m1#00#01');
  expect(toolCallKey('c1', 'm1', 0, 1).startsWith('CONV#c1#MSG#')).toBe(false);
  expect(() => toolCallKey('c1', 'm1', 100, 0)).toThrow(RangeError);
  expect(() => toolCallKey('c1#', 'm1', 0, 0)).toThrow();
});

test.each(['dynamodb:PutItem', 'dynamodb:Query'])('%s on the user\'s own tool items is allowed, on another user\'s denied', async (action) => {
  expect(await decide(action, userKey(ALICE))).toBe('Allowed');
  expect(await decide(action, userKey(BOB))).not.toBe('Allowed');
});
