import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateStateMachineCommand, SendTaskFailureCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HAND_OFF_EVENT, type HandOffDetail, REFUND_OVER_LIMIT_REASON } from '../handoff/handlers/lib/hand-off-events';
import type { RefundDecisionOutput } from '../handoff/handlers/lib/refund-approvals';
import { type RefundStepDependencies, runRefundStep } from '../handoff/handlers/lib/refund-workflow-steps';

/** Properties of `startLocalRefundWorkflow`. */
export interface LocalRefundWorkflowProps {
  /** moto's endpoint: EventBridge, SQS and Step Functions. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The hand-off bus the turn publishes on. */
  readonly busName: string;
  /** The workflow function's dependencies (the approvals store, the connection index, the post to a connection). */
  readonly steps: RefundStepDependencies;
  /** Seconds the waiting task waits for an agent. @default 86_400 (the deployed workflow's default) */
  readonly timeoutSeconds?: number;
  /** Milliseconds between two polls of the local queues. @default 200 */
  readonly pollMs?: number;
  /** Told of a step that failed (the deployed function would fail its task). @default console.error */
  readonly onError?: (error: unknown) => void;
}

/** The local refund workflow: its state machine on moto, and `stop` for its poller. */
export interface LocalRefundWorkflow {
  readonly stateMachineArn: string;
  stop(): Promise<void>;
}

/** A step's payload as the local machine sends it to a queue (the deployed machine invokes the function with it). */
type QueuedStep = { taskToken: string; handOff: HandOffDetail } | { handOff: HandOffDetail; decision?: RefundDecisionOutput };

/**
 * The refund approval workflow (docs/adr/0033-support-chat-refund-approval-by-callback.md) for `chat:local`, on moto,
 * which runs Step Functions state machines (`execute_state_machine`) but neither Lambda tasks nor EventBridge targets of
 * Step Functions. What is emulated, and how:
 *
 * - the rule on the hand-off bus that matches `refund_over_limit` targets a moto queue; a poller here starts one
 *   execution per event (the deployed rule starts it itself), named after the hand-off so a redelivery starts none;
 * - the machine has the deployed one's states and waiting semantics: `RequestApproval` is a `.waitForTaskToken` task
 *   (to a moto queue instead of the function) with the same timeout, caught as `States.Timeout` into
 *   `TellCustomerExpired`; `TellCustomer` and `TellCustomerExpired` send their payload to another queue and keep the
 *   state (the execution's output holds the decision), then `Decided` or `Expired`;
 * - the poller hands each payload to the workflow function's own steps (`runRefundStep`: `request` stores the approval
 *   with moto's task token, `notify` posts the outcome to the customer), as Lambda would invoke the function.
 *
 * The relay's `approveRefund` then calls `SendTaskSuccess` on moto with that token. None of it is proof of what AWS does.
 */
/**
 * The waiting step of a local refund workflow (moto cannot run the deployed Lambda task): sends the hand-off with the
 * task token to `queueUrl` and waits for `SendTaskSuccess`, the decision in `$.decision`, going to `next`; after
 * `timeoutSeconds` it goes to `onTimeout`.
 */
export function requestApprovalState(queueUrl: string, timeoutSeconds: number, next: string, onTimeout: string) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
    Parameters: { QueueUrl: queueUrl, MessageBody: { 'taskToken.$': '$$.Task.Token', 'handOff.$': '$.detail' } },
    TimeoutSeconds: timeoutSeconds,
    ResultPath: '$.decision',
    Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.expired', Next: onTimeout }],
    Next: next,
  };
}

export async function startLocalRefundWorkflow(props: LocalRefundWorkflowProps): Promise<LocalRefundWorkflow> {
  const aws = { endpoint: props.endpoint, region: props.region, credentials: props.credentials };
  const configured = await fetch(`${props.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
  if (!configured.ok) throw new Error(`moto did not turn on Step Functions executions: ${configured.status}`);
  const sqs = new SQSClient(aws);
  const sfn = new SFNClient(aws);
  const events = new EventBridgeClient(aws);
  const queue = async (name: string) => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return { url, arn };
  };
  const [started, requests, outcomes] = await Promise.all([
    queue('support-chat-refund-hand-offs-local'), queue('support-chat-refund-requests-local'), queue('support-chat-refund-outcomes-local'),
  ]);
  await events.send(new PutRuleCommand({
    Name: 'support-chat-refund-approval-local',
    EventBusName: props.busName,
    EventPattern: JSON.stringify({ 'source': [HAND_OFF_EVENT.source], 'detail-type': [HAND_OFF_EVENT.detailType], 'detail': { reason: [REFUND_OVER_LIMIT_REASON] } }),
  }));
  await events.send(new PutTargetsCommand({ Rule: 'support-chat-refund-approval-local', EventBusName: props.busName, Targets: [{ Id: 'workflow', Arn: started.arn }] }));
  const timeoutSeconds = props.timeoutSeconds ?? 86_400;
  const definition = {
    StartAt: 'RequestApproval',
    States: {
      RequestApproval: requestApprovalState(requests.url, timeoutSeconds, 'TellCustomer', 'TellCustomerExpired'),
      TellCustomer: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage',
        Parameters: { QueueUrl: outcomes.url, MessageBody: { 'handOff.$': '$.detail', 'decision.$': '$.decision' } },
        ResultPath: null,
        Next: 'Decided',
      },
      Decided: { Type: 'Succeed' },
      TellCustomerExpired: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage',
        Parameters: { QueueUrl: outcomes.url, MessageBody: { 'handOff.$': '$.detail' } },
        ResultPath: null,
        Next: 'Expired',
      },
      Expired: { Type: 'Succeed' },
    },
  };
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({
    name: 'support-chat-refund-approval-local', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/support-chat-refund-approval-local',
  }));
  if (!stateMachineArn) throw new Error('moto created the refund approval state machine without an ARN');

  const onError = props.onError ?? ((error: unknown) => console.error(`refund workflow: ${error instanceof Error ? error.message : String(error)}`));
  const drain = async (url: string, handle: (body: QueuedStep & { detail?: HandOffDetail }) => Promise<void>) => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    for (const m of Messages) {
      try {
        await handle(JSON.parse(m.Body!) as QueuedStep & { detail?: HandOffDetail });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
      } catch (error) {
        onError(error);
      }
    }
  };
  const poll = async () => {
    await drain(started.url, async (event) => {
      const name = event.detail!.handOffId.replace(/[^A-Za-z0-9_-]/g, '-').slice(-80);
      const input = JSON.stringify({ detail: event.detail });
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input })).catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
      });
    });
    await drain(requests.url, async (step) => {
      if (!('taskToken' in step)) throw new Error('the approval request has no task token');
      try {
        await runRefundStep({ step: 'request', taskToken: step.taskToken, handOff: step.handOff, timeoutSeconds }, props.steps);
      } catch (error) {
        // As the deployed task fails when its function does: the execution fails, nothing waits.
        onError(error);
        const cause = (error instanceof Error ? error.message : String(error)).slice(0, 256);
        await sfn.send(new SendTaskFailureCommand({ taskToken: step.taskToken, error: 'RequestApprovalFailed', cause }));
      }
    });
    await drain(outcomes.url, async (step) => {
      const decision = 'decision' in step ? step.decision : undefined;
      await runRefundStep({ step: 'notify', handOff: step.handOff, ...(decision ? { decision } : {}) }, props.steps);
    });
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = poll().catch(onError).finally(schedule);
    }, props.pollMs ?? 200);
  };
  schedule();
  return {
    stateMachineArn,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      sqs.destroy();
      sfn.destroy();
      events.destroy();
    },
  };
}
