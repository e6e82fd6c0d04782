import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkedId, checkedSub } from './conversation-keys';
import { encodeFrame, type Frame, isGoneError, type OpenHandOff } from './frames';

/*
 * The connection index of handed-off conversations, kept by the relay in the conversation table, under partitions of
 * its own that begin with `CONN#` (its role may touch no others besides `RATE#`, `dynamodb:LeadingKeys`):
 *
 * - `CONN#<customer sub>#<conversationId>` / `CUSTOMER#<connectionId>`: a connection of the customer that wrote in the
 *   conversation since its hand-off; / `AGENT#<connectionId>`: a connection of an agent that joined it (with the agent's
 *   `sub` and display name). Each expires with its connection's token (`expiresAt`, the token's `exp`: DynamoDB's TTL
 *   deletes it; reads skip an expired item before then).
 * - `CONN#OPEN` / `<customer sub>#<conversationId>`: an open hand-off, with `since` (milliseconds), until an agent closes
 *   it or `OPEN_HAND_OFF_SECONDS` after the customer last wrote.
 */

/** The prefix of the index's partitions. */
export const CONNECTION_INDEX_PREFIX = 'CONN#';

/** The `dynamodb:LeadingKeys` pattern of the index's partitions (the relay's role). */
export const CONNECTION_INDEX_LEADING_KEYS = `${CONNECTION_INDEX_PREFIX}*`;

/** The partition of the open hand-offs. */
export const OPEN_HAND_OFFS_KEY = `${CONNECTION_INDEX_PREFIX}OPEN`;

/** How long an open hand-off is listed after the customer last wrote in it: a week. */
export const OPEN_HAND_OFF_SECONDS = 7 * 86_400;

/** The most open hand-offs one `listHandOffs` answers with (oldest first). */
export const OPEN_HAND_OFFS_LISTED = 50;

/** The partition of one conversation's connections. */
export const conversationConnectionsKey = (customer: string, conversationId: string) =>
  `${CONNECTION_INDEX_PREFIX}${checkedSub(customer)}#${checkedId('conversation id', conversationId)}`;

/** The partition of the conversations one agent joined: a connection of that agent's rejoins them (`rejoin`). */
export const agentJoinsKey = (agentSub: string) => `${CONNECTION_INDEX_PREFIX}AGENT#${checkedSub(agentSub)}`;

/** One connection of a conversation. */
export interface IndexedConnection {
  readonly connectionId: string;
  readonly role: 'customer' | 'agent';
  /** An agent's `sub` and display name. */
  readonly agentSub?: string;
  readonly name?: string;
  /** Seconds since the epoch: the connection's token's `exp`. */
  readonly expiresAt: number;
}

/** Properties of `ConnectionIndex`. */
export interface ConnectionIndexProps {
  readonly tableName: string;
  /** The relay's document client (its role: `CONN#` and `RATE#` partitions only). */
  readonly client: DynamoDBDocumentClient;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Keys of one BatchGetItem call: DynamoDB's limit (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html). */
const BATCH_GET_KEYS = 100;
/** BatchGetItem calls for one chunk of keys before the keys DynamoDB keeps leaving unprocessed fail the read. */
const BATCH_GET_ATTEMPTS = 5;

const sortKey = (role: IndexedConnection['role'], connectionId: string) => `${role === 'customer' ? 'CUSTOMER' : 'AGENT'}#${connectionId}`;

/** The index: which connections are the customer's and the joined agents' of a conversation, and the open hand-offs. */
export class ConnectionIndex {
  private readonly now: () => number;

  constructor(private readonly props: ConnectionIndexProps) {
    this.now = props.now ?? Date.now;
  }

  /** Records a connection of the customer (or an agent, with `agent`) in the conversation, until `expiresAt` (seconds). */
  public async add(customer: string, conversationId: string, connection: IndexedConnection): Promise<void> {
    await this.props.client.send(new PutCommand({
      TableName: this.props.tableName,
      Item: {
        pk: conversationConnectionsKey(customer, conversationId),
        sk: sortKey(connection.role, connection.connectionId),
        ...connection,
      },
    }));
  }

  /** Whether this connection joined the conversation as an agent (and its token has not expired). */
  public async joined(customer: string, conversationId: string, connectionId: string): Promise<boolean> {
    const { Item } = await this.props.client.send(new GetCommand({
      TableName: this.props.tableName,
      Key: { pk: conversationConnectionsKey(customer, conversationId), sk: sortKey('agent', connectionId) },
      ConsistentRead: true,
    }));
    return Item !== undefined && this.live(Item.expiresAt);
  }

  /** The conversation's connections whose tokens have not expired. */
  public async connections(customer: string, conversationId: string): Promise<IndexedConnection[]> {
    const { Items = [] } = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': conversationConnectionsKey(customer, conversationId) },
      ConsistentRead: true,
    }));
    return Items.filter((i) => this.live(i.expiresAt)).map((i) => ({
      connectionId: i.connectionId as string,
      role: i.role as IndexedConnection['role'],
      ...(typeof i.agentSub === 'string' ? { agentSub: i.agentSub } : {}),
      ...(typeof i.name === 'string' ? { name: i.name } : {}),
      expiresAt: i.expiresAt as number,
    }));
  }

  /** Forgets a connection (it left: `GoneException`, or the agent left the conversation). */
  public async remove(customer: string, conversationId: string, role: IndexedConnection['role'], connectionId: string): Promise<void> {
    await this.props.client.send(new DeleteCommand({
      TableName: this.props.tableName,
      Key: { pk: conversationConnectionsKey(customer, conversationId), sk: sortKey(role, connectionId) },
    }));
  }

  /** Lists the conversation as an open hand-off (`since` kept from the first call), for a week after this call. */
  public async markOpen(customer: string, conversationId: string): Promise<void> {
    const now = this.now();
    await this.props.client.send(new UpdateCommand({
      TableName: this.props.tableName,
      Key: { pk: OPEN_HAND_OFFS_KEY, sk: `${checkedSub(customer)}#${checkedId('conversation id', conversationId)}` },
      UpdateExpression: 'SET since = if_not_exists(since, :now), customer = :customer, conversationId = :conversationId, expiresAt = :expiresAt',
      ExpressionAttributeValues: { ':now': now, ':customer': customer, ':conversationId': conversationId, ':expiresAt': Math.floor(now / 1000) + OPEN_HAND_OFF_SECONDS },
    }));
  }

  /** Takes the conversation off the open hand-offs (an agent closed it). */
  public async markClosed(customer: string, conversationId: string): Promise<void> {
    await this.props.client.send(new DeleteCommand({
      TableName: this.props.tableName,
      Key: { pk: OPEN_HAND_OFFS_KEY, sk: `${checkedSub(customer)}#${checkedId('conversation id', conversationId)}` },
    }));
  }

  /** Remembers that the agent joined the conversation, for as long as an open hand-off is listed. */
  public async rememberJoin(agentSub: string, customer: string, conversationId: string): Promise<void> {
    await this.props.client.send(new PutCommand({
      TableName: this.props.tableName,
      Item: {
        pk: agentJoinsKey(agentSub),
        sk: `${checkedSub(customer)}#${checkedId('conversation id', conversationId)}`,
        customer,
        conversationId,
        expiresAt: Math.floor(this.now() / 1000) + OPEN_HAND_OFF_SECONDS,
      },
    }));
  }

  /** Forgets it (the agent left the conversation). */
  public async forgetJoin(agentSub: string, customer: string, conversationId: string): Promise<void> {
    await this.props.client.send(new DeleteCommand({
      TableName: this.props.tableName,
      Key: { pk: agentJoinsKey(agentSub), sk: `${checkedSub(customer)}#${checkedId('conversation id', conversationId)}` },
    }));
  }

  /**
   * Puts a new connection of the agent into every conversation the agent joined and did not leave whose hand-off is still
   * open (a reconnect); resolves with those conversations. One query page of joins, then their open hand-offs read by
   * `BatchGetItem`, at most 100 keys a call (DynamoDB's limit); keys DynamoDB leaves unprocessed are asked again, up to
   * `BATCH_GET_ATTEMPTS` calls a chunk with a growing pause, and keys still unprocessed reject the rejoin.
   */
  public async rejoin(agentSub: string, connection: Omit<IndexedConnection, 'role' | 'agentSub'>): Promise<{ customer: string; conversationId: string }[]> {
    const { Items = [] } = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': agentJoinsKey(agentSub) },
      ConsistentRead: true,
    }));
    const joins = Items.filter((i) => this.live(i.expiresAt))
      .map((i) => ({ customer: i.customer as string, conversationId: i.conversationId as string }));
    const open = new Set<string>();
    for (let start = 0; start < joins.length; start += BATCH_GET_KEYS) {
      const keys = joins.slice(start, start + BATCH_GET_KEYS).map((j) => ({ pk: OPEN_HAND_OFFS_KEY, sk: `${j.customer}#${j.conversationId}` }));
      for (const item of await this.batchGet(keys)) if (this.live(item.expiresAt)) open.add(item.sk as string);
    }
    const rejoined: { customer: string; conversationId: string }[] = [];
    for (const join of joins.filter((j) => open.has(`${j.customer}#${j.conversationId}`))) {
      await this.add(join.customer, join.conversationId, { ...connection, role: 'agent', agentSub });
      rejoined.push(join);
    }
    return rejoined;
  }

  /** The items of up to `BATCH_GET_KEYS` keys, read consistently; the keys left unprocessed are asked again. */
  private async batchGet(keys: Record<string, string>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] = keys;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > BATCH_GET_ATTEMPTS) throw new Error(`${pending.length} open hand-off(s) stayed unprocessed after ${BATCH_GET_ATTEMPTS} BatchGetItem calls`);
      // Keys DynamoDB left unprocessed (throttled, or the answer cut short): ask again after a growing pause (50 to 400 ms).
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** (attempt - 1)));
      const { Responses = {}, UnprocessedKeys = {} } = await this.props.client.send(new BatchGetCommand({
        RequestItems: { [this.props.tableName]: { Keys: pending, ConsistentRead: true } },
      }));
      items.push(...Responses[this.props.tableName] ?? []);
      pending = UnprocessedKeys[this.props.tableName]?.Keys ?? [];
    }
    return items;
  }

  /** The open hand-offs, oldest first, at most `OPEN_HAND_OFFS_LISTED` (one query page). */
  public async open(): Promise<OpenHandOff[]> {
    const { Items = [] } = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OPEN_HAND_OFFS_KEY },
      ConsistentRead: true,
    }));
    return Items.filter((i) => this.live(i.expiresAt))
      .sort((a, b) => (a.since as number) - (b.since as number))
      .slice(0, OPEN_HAND_OFFS_LISTED)
      .map((i) => ({ customer: i.customer as string, conversationId: i.conversationId as string, since: new Date(i.since as number).toISOString() }));
  }

  private live(expiresAt: unknown): boolean {
    return typeof expiresAt === 'number' && expiresAt * 1000 > this.now();
  }
}

/** How `postToConversation` chooses the connections and meets a failure. */
export interface ConversationPostOptions {
  /** A connection left out (the sender's own). @default - none */
  readonly except?: string;
  /** Only that role's connections. @default - the customer's and the joined agents' */
  readonly only?: IndexedConnection['role'];
  /**
   * Called with any error of a post other than `GoneException`, or of taking a gone connection out of the index; that
   * connection then counts as not reached and the others are still posted to.
   *
   * @default - the error rejects the call
   */
  readonly failed?: (error: unknown) => void;
}

/**
 * Posts one frame to a conversation's indexed connections at once; a connection that answers `GoneException` is taken
 * out of the index. Resolves with how many of the customer's connections got it.
 */
export async function postToConversation(
  index: ConnectionIndex, post: (connectionId: string, frame: string) => Promise<void>, customer: string, conversationId: string,
  frame: Frame, options: ConversationPostOptions = {},
): Promise<number> {
  const targets = (await index.connections(customer, conversationId))
    .filter((c) => c.connectionId !== options.except && (options.only === undefined || c.role === options.only));
  const data = encodeFrame(frame);
  const reached = await Promise.all(targets.map(async (target) => {
    try {
      await post(target.connectionId, data);
      return target.role === 'customer';
    } catch (error) {
      const fail = options.failed ?? ((e: unknown) => { throw e; });
      if (isGoneError(error)) await index.remove(customer, conversationId, target.role, target.connectionId).catch(fail);
      else fail(error);
      return false;
    }
  }));
  return reached.filter(Boolean).length;
}
