import type { HandOffDetail } from './hand-off-events';
import type { PendingRefund, RefundApprovals, RefundDecisionOutput } from './refund-approvals';
import { type ConnectionIndex, postToConversation } from '../../../chat/handlers/lib/connection-index';
import type { MessageFrame } from '../../../chat/handlers/lib/frames';
import { DEFAULT_LANGUAGE, supportedLanguageOf } from '../../../language/handlers/lib/languages';
import { tenantMessage } from '../../../language/handlers/lib/tenant-messages';

/*
 * The refund workflow's two Lambda steps (docs/adr/0033-support-chat-refund-approval-by-callback.md), run by one
 * function outside the VPC: `request`, the waiting task's (`.waitForTaskToken`), stores the approval for the agents;
 * `notify` tells the customer the outcome over the WebSocket, on the connections the relay indexed for the conversation.
 */

/** The waiting task's payload: its token, the hand-off event's detail, the task's timeout. */
export interface RequestStep {
  readonly step: 'request';
  readonly taskToken: string;
  readonly handOff: HandOffDetail;
  readonly timeoutSeconds: number;
}

/** The notifying task's payload: the hand-off and the agent's decision, or none when the waiting task timed out. */
export interface NotifyStep {
  readonly step: 'notify';
  readonly handOff: HandOffDetail;
  /** The waiting task's output (`SendTaskSuccess`); absent: expired. */
  readonly decision?: RefundDecisionOutput;
}

/** What the workflow's function needs. */
export interface RefundStepDependencies {
  readonly approvals: RefundApprovals;
  readonly index: ConnectionIndex;
  readonly post: (connectionId: string, frame: string) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The prefix of the id of the outcome's message frame (the rest: the hand-off's creation time, one outcome per hand-off). */
export const REFUND_OUTCOME_MESSAGE_PREFIX = 'refund-';

/** Runs one step; rejects a payload it does not know (the task fails and the workflow's execution with it). */
export async function runRefundStep(
  event: RequestStep | NotifyStep, deps: RefundStepDependencies,
): Promise<PendingRefund | { readonly notified: number }> {
  if (event?.step === 'request') return deps.approvals.request(event.taskToken, event.handOff, event.timeoutSeconds);
  if (event?.step === 'notify') return { notified: await notifyOutcome(event, deps) };
  throw new Error('the refund workflow step must be request or notify');
}

/** The outcome in the customer's language: approved (amount, order), rejected (order), expired (no decision). */
export function outcomeText(step: NotifyStep): string {
  const language = supportedLanguageOf(step.handOff.customer.language) ?? DEFAULT_LANGUAGE;
  const { decision } = step;
  if (decision === undefined) return tenantMessage('refund_expired', language);
  if (decision.decision === 'approved') return tenantMessage('refund_approved', language, { amount: decision.amount.toFixed(2), orderId: decision.orderId });
  if (decision.decision === 'rejected') return tenantMessage('refund_rejected', language, { orderId: decision.orderId });
  throw new Error('the decision must be approved or rejected');
}

/**
 * Posts the outcome as one `message` frame from the assistant to the customer's live connections in the conversation (a
 * connection that answers `GoneException` is taken out of the index); resolves with how many got it. None connected:
 * 0 (the agent in the conversation sees the outcome in their own `done` frame; the execution's output keeps it).
 */
async function notifyOutcome(step: NotifyStep, deps: RefundStepDependencies): Promise<number> {
  const { sub } = step.handOff.customer;
  const { conversationId } = step.handOff;
  const frame: MessageFrame = {
    type: 'message',
    conversationId,
    messageId: `${REFUND_OUTCOME_MESSAGE_PREFIX}${/:(\d{1,20})$/.exec(step.handOff.handOffId)?.[1] ?? 'outcome'}`,
    seq: 0,
    from: 'assistant',
    text: outcomeText(step),
    at: new Date((deps.now ?? Date.now)()).toISOString(),
  };
  return postToConversation(deps.index, deps.post, sub, conversationId, frame, { only: 'customer' });
}
