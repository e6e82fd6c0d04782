import * as path from 'node:path';
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnSecurityGroup, CfnSecurityGroupEgress, CfnSecurityGroupIngress } from 'aws-cdk-lib/aws-ec2';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatFunction } from '../../chat/constructs/chat-function';
import { endpointUrl, tenantServiceEndpoint } from '../../tenant/tenant-service-endpoint';
import { HAND_OFF_EVENT } from '../handlers/lib/hand-off-events';
import { TICKET_PREFIX } from '../handlers/lib/ticket-connector';
import { CONNECTOR_TIMEOUT_SECONDS, type ConnectorEnvironment, MAX_RECEIVE_COUNT } from '../handoff-wiring';

/** Concurrent connector executions the queue's event source mapping starts at most (SQS's maximum concurrency, 2–1000). */
const CONNECTOR_MAX_CONCURRENCY = 5;

/** Properties of `HandOffTransport`. */
export interface HandOffTransportProps {
  /** Prefix of the names (the tenant's, `support-chat`); IAM names end in `-<region>`. */
  readonly namePrefix: string;
  /** The stack's key: the queues, and the connector's log group. */
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** The conversation table: the connector keeps its ticket records there (`TICKET#` partitions only). */
  readonly tableName: string;
  readonly tableArn: string;
  /** The ticketing system's webhook and the Secrets Manager secret of its API key (`handOff`). */
  readonly webhookUrl: string;
  readonly apiKeySecretName: string;
  /** The turn's managed policy: it may publish hand-offs on the bus. */
  readonly turnPolicy: ManagedPolicy;
  /** The baseline VPC, two of its subnets and the turn's security group: the turn reaches EventBridge through an endpoint there. */
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly turnSecurityGroupId: string;
  /** Where the queues' alarms notify (the tenant's alarm topic). */
  readonly alarmTopic: ITopic;
  /**
   * Age of the oldest hand-off waiting, in seconds, at which the age alarm fires.
   * @default 900
   */
  readonly maxAgeSeconds?: number;
}

/**
 * The hand-off's path to the ticketing system (docs/adr/0023-support-chat-hand-off-path.md): the tenant's event bus,
 * a rule that sends the turn's `HandOffRequested` events to an SQS queue (customer-managed key, TLS only), whose
 * dead-letter queue takes a hand-off after `MAX_RECEIVE_COUNT` failed deliveries (and the events the rule could not
 * deliver); the ticket connector function reads the queue (event source mapping, partial batch failures) and opens one
 * ticket per hand-off on the webhook. Two alarms on the tenant's topic: any message on the dead-letter queue, and a
 * hand-off waiting longer than `maxAgeSeconds`. The turn, in the baseline VPC, publishes through an EventBridge
 * interface endpoint of its own (private DNS off) that admits only `PutEvents` on this bus.
 */
export class HandOffTransport extends Construct {
  public readonly bus: EventBus;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly connector: ChatFunction;
  /** `https://…` of the EventBridge endpoint, for the turn's `EVENTS_ENDPOINT`. */
  public readonly eventsEndpointUrl: string;
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: HandOffTransportProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const name = (what: string) => `${props.namePrefix}-${what}-${region}`;
    this.bus = new EventBus(this, 'Bus', { eventBusName: `${props.namePrefix}-handoff` });
    // EventBridge encrypts what it sends to a queue under a customer-managed key with that key: it must be allowed to.
    props.key.grant(new ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `${props.namePrefix}-handoff-dlq`,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Only the hand-off queue may use it as its dead-letter queue (its ARN by name: a reference would be a cycle).
      redriveAllowPolicy: {
        redrivePermission: RedrivePermission.BY_QUEUE,
        sourceQueues: [Queue.fromQueueArn(this, 'SourceQueue', `arn:${Aws.PARTITION}:sqs:${region}:${Aws.ACCOUNT_ID}:${props.namePrefix}-handoff`)],
      },
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: `${props.namePrefix}-handoff`,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS recommends at least six times the function's timeout for an SQS event source.
      visibilityTimeout: Duration.seconds(6 * CONNECTOR_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    new Rule(this, 'ToQueue', {
      eventBus: this.bus,
      description: 'Support chat: hand-offs to the connector\'s queue',
      eventPattern: { source: [HAND_OFF_EVENT.source], detailType: [HAND_OFF_EVENT.detailType] },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    const role = new Role(this, 'ConnectorRole', { roleName: name('handoff-connector'), assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const secretArn = `arn:${Aws.PARTITION}:secretsmanager:${region}:${Aws.ACCOUNT_ID}:secret:${props.apiKeySecretName}-??????`;
    const policy = new ManagedPolicy(this, 'ConnectorPolicy', {
      managedPolicyName: name('handoff-connector'),
      roles: [role],
      statements: [
        new PolicyStatement({
          sid: 'HandOffQueue',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
          resources: [this.queue.queueArn],
        }),
        new PolicyStatement({
          sid: 'TicketItemsOnly',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [props.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${TICKET_PREFIX}*`] } },
        }),
        new PolicyStatement({
          sid: 'KeyThroughSqsAndDynamoDb',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': [`sqs.${region}.amazonaws.com`, `dynamodb.${region}.amazonaws.com`] } },
        }),
        new PolicyStatement({ sid: 'WebhookApiKey', actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
      ],
    });
    const environment: ConnectorEnvironment = {
      TABLE_NAME: props.tableName,
      WEBHOOK_URL: props.webhookUrl,
      WEBHOOK_SECRET_ID: props.apiKeySecretName,
    };
    this.connector = new ChatFunction(this, 'Connector', {
      functionName: `${props.namePrefix}-handoff-connector`,
      description: 'Support chat: opens one ticket per hand-off on the ticketing webhook',
      entry: path.join(__dirname, '..', 'handlers', 'connector.ts'),
      role,
      rolePolicy: policy,
      environment: { ...environment },
      timeout: Duration.seconds(CONNECTOR_TIMEOUT_SECONDS),
      memorySize: 256,
      logKey: props.key,
      logRetention: props.logRetention,
      outsideVpcReason: 'Posts to the ticketing system\'s webhook on the internet, which the baseline VPC (no route out) cannot reach; holds no conversation or model permissions (its own TICKET# items, the queue, one secret)',
      deadLetterQueueReason: 'The SQS event source mapping invokes it synchronously; a hand-off it fails stays on the queue and moves to the queue\'s dead-letter queue after the maximum receives',
      concurrencyReason: `Invoked only by its SQS event source mapping, whose ScalingConfig.MaximumConcurrency (${CONNECTOR_MAX_CONCURRENCY}) bounds its concurrent executions; a reserve would take executions from the rest of the account`,
    });
    const mapping = new EventSourceMapping(this, 'FromQueue', {
      target: this.connector,
      eventSourceArn: this.queue.queueArn,
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: CONNECTOR_MAX_CONCURRENCY,
    });
    // Lambda checks the role may read the queue when the mapping is created.
    mapping.node.addDependency(policy);

    // The turn publishes through an EventBridge endpoint in the baseline VPC that admits only PutEvents on this bus.
    const endpointGroup = new CfnSecurityGroup(this, 'EventsEndpointSecurityGroup', {
      vpcId: props.vpcId,
      groupDescription: 'Support-chat EventBridge endpoint: HTTPS from the turn function only',
      securityGroupEgress: [{ ipProtocol: 'icmp', fromPort: -1, toPort: -1, cidrIp: '255.255.255.255/32', description: 'Matches no traffic, so the group sends nothing (as CDK writes allowAllOutbound: false)' }],
    });
    new CfnSecurityGroupIngress(this, 'EventsEndpointFromTurn', {
      groupId: endpointGroup.attrGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: props.turnSecurityGroupId, description: 'HTTPS from the turn function',
    });
    new CfnSecurityGroupEgress(this, 'TurnToEventsEndpoint', {
      groupId: props.turnSecurityGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, destinationSecurityGroupId: endpointGroup.attrGroupId, description: 'EventBridge endpoint',
    });
    const endpoint = tenantServiceEndpoint(this, 'EventsEndpoint', {
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      securityGroupId: endpointGroup.attrGroupId,
      service: 'events',
      grant: { sid: 'HandOffBusOnly', actions: 'events:PutEvents', resource: this.bus.eventBusArn },
    });
    this.eventsEndpointUrl = endpointUrl(endpoint);
    props.turnPolicy.addStatements(new PolicyStatement({ sid: 'PublishHandOffs', actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));

    const action = new SnsAction(props.alarmTopic);
    const deadLetters = new Alarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.namePrefix}-handoff-dead-letters`,
      alarmDescription: 'Support chat: a hand-off could not be turned into a ticket (or delivered to the queue) and is on the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const age = new Alarm(this, 'OldestHandOffAlarm', {
      alarmName: `${props.namePrefix}-handoff-age`,
      alarmDescription: 'Support chat: a hand-off has waited too long for its ticket (the webhook keeps failing or the connector is stuck)',
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: props.maxAgeSeconds ?? 900,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [deadLetters, age]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms = [deadLetters, age];
  }
}
