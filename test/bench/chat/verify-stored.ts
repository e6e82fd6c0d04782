import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ClientTurn } from './clients-protocol';
import { messagePrefix, userKey } from '../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { type ChatLocal, LOCAL_CREDENTIALS } from '../../../workloads/support-chat/local/chat-local';

/*
 * Messages lost: at the end every session's conversation is read back from moto with a Query; each message sent must be
 * stored as a user message and must have got a `done` (its streamed text then equal to the stored answer) or an `error`
 * frame. Any violation is listed and the exit code is 1.
 */

export interface Violation {
  readonly tag: string;
  readonly problem: string;
}

/**
 * Reads each session's conversation back from moto (a Query of the user's partition, the conversation's messages) and
 * checks every message sent: stored as a user message, and answered by a `done` (whose streamed text is the stored
 * answer) or an `error` frame. Lost: not stored, or neither frame, or `done` without a stored answer.
 */
export async function verifyStored(chat: ChatLocal, subs: ReadonlyMap<string, string>, turns: readonly ClientTurn[]) {
  const raw = new DynamoDBClient({ endpoint: chat.dynamodb.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS });
  const client = DynamoDBDocumentClient.from(raw);
  const users = new Set<string>();
  const answers = new Map<string, string>();
  // Each stored answer's costUsd (the turn's billed calls at the config's prices), by conversation.
  const costs = new Map<string, number[]>();
  try {
    for (const [conversationId, sub] of subs) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(new QueryCommand({
          TableName: chat.dynamodb.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userKey(sub), ':prefix': messagePrefix(conversationId) },
          ConsistentRead: true,
          ExclusiveStartKey,
        }));
        for (const item of page.Items ?? []) {
          const key = `${conversationId}/${item.messageId as string}`;
          if (item.role === 'user') users.add(key);
          else answers.set(key, item.text as string);
          if (item.role === 'assistant' && typeof item.costUsd === 'number') costs.set(conversationId, [...costs.get(conversationId) ?? [], item.costUsd]);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
  } finally {
    raw.destroy();
  }
  const lost: Violation[] = [];
  const other: Violation[] = [];
  let storedButNotDelivered = 0;
  for (const t of turns) {
    const key = `${t.conversationId}/${t.tag}`;
    if (!users.has(key)) lost.push({ tag: t.tag, problem: 'the user message is not stored' });
    if (t.terminal !== 'done' && t.terminal !== 'error') {
      const stored = users.has(key) && answers.has(key);
      if (stored) storedButNotDelivered++;
      lost.push({
        tag: t.tag,
        problem: `neither the answer nor an error frame reached the client (${t.terminal ?? 'never ended'}${t.code ? `: ${t.code}` : ''}`
          + `${t.gatewayMessages.length > 0 ? `; the gateway said: ${t.gatewayMessages.join(', ')}` : ''})`
          + `${stored ? '; the answer is stored (a resume would get it)' : ''}`,
      });
      continue;
    }
    if (t.terminal === 'done' && !answers.has(key)) lost.push({ tag: t.tag, problem: 'a done frame, but no answer stored' });
    if (t.terminal === 'done' && answers.has(key) && answers.get(key) !== t.text) {
      other.push({ tag: t.tag, problem: 'the streamed text differs from the stored answer' });
    }
    if (!t.seqOk) other.push({ tag: t.tag, problem: 'frames out of seq order (0, 1, 2, …), or a frame after the last' });
    if (t.strays > 0) other.push({ tag: t.tag, problem: `${t.strays} frames of another message id arrived meanwhile` });
  }
  // moto copies the whole table for each item of a transaction (moto/dynamodb/models/__init__.py, transact_write_items):
  // the table's size is what its transactions cost.
  let tableItems = 0;
  const counter = new DynamoDBClient({ endpoint: chat.dynamodb.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS });
  try {
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await counter.send(new ScanCommand({ TableName: chat.dynamodb.tableName, Select: 'COUNT', ExclusiveStartKey }));
      tableItems += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  } finally {
    counter.destroy();
  }
  return {
    checked: turns.length,
    storedUserMessages: users.size,
    storedAnswers: answers.size,
    tableItems,
    storedButNotDelivered,
    lost,
    other,
    costs: [...costs.values()],
  };
}

export type Integrity = Awaited<ReturnType<typeof verifyStored>>;
