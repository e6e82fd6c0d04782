import * as path from 'node:path';
import { ArnFormat, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import type { IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  CustomerManagedEncryptionConfiguration, DefinitionBody, Errors, IntegrationPattern, JsonPath, LogLevel,
  StateMachine, StateMachineType, Succeed, TaskInput, Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeFinding, partitionOf } from '../../../../building-blocks/gates/acknowledge';
import { ChatFunction } from '../../chat/constructs/chat-function';
import { CONNECTION_INDEX_LEADING_KEYS } from '../../chat/handlers/lib/connection-index';
import { HAND_OFF_EVENT, REFUND_OVER_LIMIT_REASON } from '../handlers/lib/hand-off-events';
import { REFUND_STEP_TIMEOUT_SECONDS, type RefundWorkflowEnvironment } from '../handoff-wiring';

/** Properties of `RefundApprovalWorkflow`. */
export interface RefundApprovalWorkflowProps {
  /** Prefix of the names (the tenant's, `support-chat`); IAM names end in `-<region>`. */
  readonly namePrefix: string;
  /** The stack's key: the state machine's data, its log group and the function's. */
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** The conversation table: the pending approvals (`CONN#REFUND`) and the connection index (`CONN#`). */
  readonly tableName: string;
  readonly tableArn: string;
  /** The hand-off bus: its `refund_over_limit` hand-offs start the workflow. */
  readonly bus: IEventBus;
  /** Where the rule puts an event it could not start the workflow with (the hand-off's dead-letter queue). */
  readonly deadLetterQueue: IQueue;
  /** The WebSocket API and its stage's name and callback URL: the outcome is posted to the customer. */
  readonly webSocketApi: IWebSocketApi;
  readonly webSocketStageName: string;
  readonly connectionsEndpoint: string;
  /** The relay's policy: it answers the waiting task (`SendTaskSuccess`). */
  readonly relayPolicy: ManagedPolicy;
  /** Where the failed-execution alarm notifies (the tenant's alarm topic). */
  readonly alarmTopic: ITopic;
  /**
   * How long an approval waits for an agent before the workflow ends expired.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
}

/**
 * Large refunds wait for an agent's approval through the Step Functions callback pattern
 * (docs/adr/0033-support-chat-refund-approval-by-callback.md): a rule on the hand-off bus starts a STANDARD state
 * machine (its data under the stack's key, every event logged without execution data, X-Ray tracing) for each
 * `refund_over_limit` hand-off; its `RequestApproval` task invokes the workflow function with `.waitForTaskToken`,
 * which stores the approval for the agents; the relay answers it with `SendTaskSuccess` when a joined agent approves or
 * rejects; `TellCustomer` posts the outcome to the customer's connections. After `approvalTimeout` the task times out
 * and `TellCustomerExpired` says so. An alarm fires on any failed, timed-out or aborted execution.
 */
export class RefundApprovalWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly function: ChatFunction;
  public readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: RefundApprovalWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const region = stack.region;
    const name = (what: string) => `${props.namePrefix}-${what}-${region}`;
    const timeout = props.approvalTimeout ?? Duration.hours(24);
    if (!timeout.isUnresolved() && (timeout.toSeconds() < 60 || timeout.toSeconds() > 365 * 86_400)) {
      throw new Error(`approvalTimeout must be between one minute and a year (Step Functions' standard execution); got ${timeout.toHumanString()}`);
    }

    const role = new Role(this, 'FunctionRole', { roleName: name('refund-approval'), assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const connections = `${props.webSocketStageName}/POST/@connections/*`;
    const connectionsArn = stack.formatArn({ service: 'execute-api', resource: props.webSocketApi.apiId, resourceName: connections });
    const apiLogicalId = stack.getLogicalId(props.webSocketApi.node.defaultChild as CfnResource);
    const policy = new ManagedPolicy(this, 'FunctionPolicy', {
      managedPolicyName: name('refund-approval'),
      roles: [role],
      statements: [
        new PolicyStatement({
          sid: 'ConnectionIndexItemsOnly',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
          resources: [props.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [CONNECTION_INDEX_LEADING_KEYS] } },
        }),
        new PolicyStatement({
          sid: 'KeyThroughDynamoDb',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
        }),
        new PolicyStatement({ sid: 'PostToCustomers', actions: ['execute-api:ManageConnections'], resources: [connectionsArn] }),
      ],
    });
    acknowledgeFinding(policy, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partitionOf(stack)}:execute-api:${region}:${stack.account}:<${apiLogicalId}>/${connections}]`,
      reason: `Posting to a connection names the connection id, which API Gateway assigns per connection: the resource is this API's ${props.webSocketStageName} stage, POST to @connections only`,
    });
    const environment: RefundWorkflowEnvironment = { TABLE_NAME: props.tableName, CONNECTIONS_ENDPOINT: props.connectionsEndpoint };
    this.function = new ChatFunction(this, 'Function', {
      functionName: `${props.namePrefix}-refund-approval`,
      description: 'Support chat: stores a refund approval for the agents with its task token, and tells the customer the outcome',
      entry: path.join(__dirname, '..', 'handlers', 'refund-approval.ts'),
      role,
      rolePolicy: policy,
      environment: { ...environment },
      timeout: Duration.seconds(REFUND_STEP_TIMEOUT_SECONDS),
      memorySize: 256,
      logKey: props.key,
      logRetention: props.logRetention,
      outsideVpcReason: 'Posts the outcome to the customer\'s WebSocket connections (@connections), which the baseline VPC cannot reach, as the relay; holds only the CONN# items and POST to this API\'s connections',
      deadLetterQueueReason: 'Step Functions invokes it synchronously and retries it; a step that still fails fails the execution, which the workflow\'s alarm reports',
      concurrencyReason: 'Invoked by the refund approval state machine (its role\'s InvokeTheWorkflowFunction statement), one task at a time per execution; executions start only for refund_over_limit hand-offs, at most one open per conversation; a reserve would take executions from the rest of the account',
    });

    const request = new LambdaInvoke(this, 'RequestApproval', {
      lambdaFunction: this.function,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        step: 'request',
        taskToken: JsonPath.taskToken,
        handOff: JsonPath.objectAt('$.detail'),
        timeoutSeconds: timeout.toSeconds(),
      }),
      taskTimeout: Timeout.duration(timeout),
      resultPath: '$.decision',
    });
    const tell = (stateId: string, decision: boolean) => new LambdaInvoke(this, stateId, {
      lambdaFunction: this.function,
      payload: TaskInput.fromObject({ step: 'notify', handOff: JsonPath.objectAt('$.detail'), ...(decision ? { decision: JsonPath.objectAt('$.decision') } : {}) }),
      resultPath: JsonPath.DISCARD,
      retryOnServiceExceptions: true,
    });
    const expired = tell('TellCustomerExpired', false).next(new Succeed(this, 'Expired'));
    request.addCatch(expired, { errors: [Errors.TIMEOUT], resultPath: '$.expired' });
    const definition = request.next(tell('TellCustomer', true)).next(new Succeed(this, 'Decided'));

    // The state machine's and the rule's roles with managed policies of their own (CDK's grants would write inline policies).
    const machineRole = new Role(this, 'StateMachineRole', {
      roleName: name('refund-approval-states'),
      assumedBy: new ServicePrincipal('states.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    const machineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: `${props.namePrefix}-refund-approval`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const machinePolicy = new ManagedPolicy(this, 'StateMachinePolicy', {
      managedPolicyName: name('refund-approval-states'),
      roles: [machineRole],
      statements: [
        new PolicyStatement({ sid: 'InvokeTheWorkflowFunction', actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
        new PolicyStatement({
          sid: 'StateMachineDataKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': machineArn } },
        }),
        new PolicyStatement({
          sid: 'Tracing',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'LogDelivery',
          actions: [
            'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
            'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
          ],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeFinding(machinePolicy, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray\'s trace and sampling actions and CloudWatch Logs\' log-delivery actions support no resource type (Service Authorization Reference): Step Functions\' documented policy for tracing and logging',
    });
    const logs = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.namePrefix}-refund-approval`,
      encryptionKey: props.key,
      retention: props.logRetention,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `${props.namePrefix}-refund-approval`,
      stateMachineType: StateMachineType.STANDARD,
      role: Role.fromRoleArn(this, 'StateMachineRoleRef', machineRole.roleArn, { mutable: false }),
      definitionBody: DefinitionBody.fromChainable(definition),
      // The task token and the transcript stay out of the logs: every event, without its data.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(props.key, Duration.minutes(5)),
      timeout: timeout.plus(Duration.hours(1)),
    });
    this.stateMachine.node.addDependency(machinePolicy);
    const startRole = new Role(this, 'StartRole', {
      roleName: name('refund-approval-start'),
      assumedBy: new ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    new ManagedPolicy(this, 'StartPolicy', {
      managedPolicyName: name('refund-approval-start'),
      roles: [startRole],
      statements: [new PolicyStatement({ sid: 'StartTheWorkflow', actions: ['states:StartExecution'], resources: [machineArn] })],
    });

    new Rule(this, 'OnRefundHandOff', {
      eventBus: props.bus,
      description: 'Support chat: a refund over the approval threshold starts the refund approval workflow',
      eventPattern: { source: [HAND_OFF_EVENT.source], detailType: [HAND_OFF_EVENT.detailType], detail: { reason: [REFUND_OVER_LIMIT_REASON] } },
      targets: [new SfnStateMachine(this.stateMachine, { role: Role.fromRoleArn(this, 'StartRoleRef', startRole.roleArn, { mutable: false }), deadLetterQueue: props.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    // SendTaskSuccess has no resource type (the Service Authorization Reference): the task token is the capability.
    props.relayPolicy.addStatements(new PolicyStatement({ sid: 'AnswerRefundApprovals', actions: ['states:SendTaskSuccess'], resources: ['*'] }));
    acknowledgeFinding(props.relayPolicy, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'states:SendTaskSuccess supports no resource type (Service Authorization Reference, AWS Step Functions): the task token, which only the refund approval workflow\'s waiting task issues and the CONN#REFUND item holds, names the task',
    });

    const failed = new MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
        timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
        aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
      },
      period: Duration.minutes(5),
      label: 'Refund approval executions failed, timed out or aborted',
    });
    this.alarm = new Alarm(this, 'FailedAlarm', {
      alarmName: `${props.namePrefix}-refund-approval-failed`,
      alarmDescription: 'Support chat: a refund approval workflow failed (the approval was not stored or the customer not told); the hand-off\'s agent decides it in the chat',
      metric: failed,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // On ALARM and on OK, as every tenant alarm: the topic's readers see the workflow recover too.
    const notify = new SnsAction(props.alarmTopic);
    this.alarm.addAlarmAction(notify);
    this.alarm.addOkAction(notify);
  }
}
