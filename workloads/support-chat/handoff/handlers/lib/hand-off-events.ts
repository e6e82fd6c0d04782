import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { HandOff, HandOffReason } from './hand-off-port';

/** The hand-off event on the tenant's bus: what the rule to the connector's queue matches. */
export const HAND_OFF_EVENT = { source: 'support-chat.handoff', detailType: 'HandOffRequested' } as const;

/** The hand-off reason that starts the refund approval workflow: a refund asked for over the configured amount. */
export const REFUND_OVER_LIMIT_REASON: HandOffReason = 'refund_over_limit';

/** The event's `detail`: the hand-off and its id, which the connector sends the ticketing system as `Idempotency-Key`. */
export interface HandOffDetail extends HandOff {
  /** One per conversation hand-off: `<sub>:<conversationId>:<createdAt ms>`. */
  readonly handOffId: string;
}

/** Publishes a hand-off on the bus; rejects when EventBridge did not take it (`FailedEntryCount`). */
export async function publishHandOff(client: EventBridgeClient, busName: string, detail: HandOffDetail): Promise<void> {
  const result = await client.send(new PutEventsCommand({
    Entries: [{ EventBusName: busName, Source: HAND_OFF_EVENT.source, DetailType: HAND_OFF_EVENT.detailType, Detail: JSON.stringify(detail) }],
  }));
  if ((result.FailedEntryCount ?? 0) > 0) {
    const entry = result.Entries?.[0];
    throw new Error(`EventBridge did not take the hand-off: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
  }
}
