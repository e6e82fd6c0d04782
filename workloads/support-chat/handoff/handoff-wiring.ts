/**
 * How the hand-off's parts are wired: the connector function's environment, which the construct sets and the handler
 * reads. This file imports nothing, so the handler's bundle carries only these names.
 */

/** The environment of the ticket connector (`handlers/connector.ts`). */
export interface ConnectorEnvironment {
  /** The conversation table: the connector's ticket records, `TICKET#` partitions only. */
  readonly TABLE_NAME: string;
  /** The ticketing system's webhook (`handOff.webhookUrl`). */
  readonly WEBHOOK_URL: string;
  /** The Secrets Manager secret whose value is the webhook's API key (`handOff.apiKeySecretName`). */
  readonly WEBHOOK_SECRET_ID: string;
}

/** Milliseconds the connector waits on the webhook: under the function's timeout, with room to store the ticket id. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Seconds the connector function may run: the webhook's timeout for each record of a batch at once, plus DynamoDB. */
export const CONNECTOR_TIMEOUT_SECONDS = 30;

/** How often SQS delivers a hand-off before it moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** The environment of the refund workflow's function (`handlers/refund-approval.ts`). */
export interface RefundWorkflowEnvironment {
  /** The conversation table: the pending approvals (`CONN#REFUND`) and the connection index (`CONN#`), nothing else. */
  readonly TABLE_NAME: string;
  /** The WebSocket stage's `https://…/<stage>` callback URL: the outcome goes to the customer's connections. */
  readonly CONNECTIONS_ENDPOINT: string;
}

/** Seconds the refund workflow's function may run (one DynamoDB write, or one query and a few posts). */
export const REFUND_STEP_TIMEOUT_SECONDS = 10;
