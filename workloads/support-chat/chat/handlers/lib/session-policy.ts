import { userKey } from './conversation-keys';

/** The DynamoDB actions the chat handler uses on a user's conversation items. */
export const CONVERSATION_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'] as const;

/**
 * The session policy the chat handler passes when it assumes the conversation-data role for one user (`sts:AssumeRole`
 * with `Policy`): the session may use only items whose partition key is that user's, AWS's pattern for fine-grained
 * access with `dynamodb:LeadingKeys` (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 * A session's permissions are the intersection of the role's policies and this one, so even a bug in the handler
 * cannot read or write another user's conversation. No Scan: a Scan names no partition key, and `ForAllValues` is true
 * for an empty key set.
 */
export function conversationSessionPolicy(tableArn: string, sub: string): { Version: '2012-10-17'; Statement: object[] } {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'OneUsersItems',
      Effect: 'Allow',
      Action: [...CONVERSATION_ACTIONS],
      Resource: tableArn,
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [userKey(sub)] } },
    }],
  };
}
