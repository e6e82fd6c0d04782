import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { handlerAssetDirectory } from '../../../../building-blocks/custom-resources/asset-handler';
import { allowOwnLogStreams, dependOnRolePolicies, functionLogGroup, LAMBDA_RUNTIME } from '../../../../building-blocks/custom-resources/lambda-recipe';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import { SUPPORT_CHAT_METRICS_NAMESPACE, SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_SERVICES } from '../../../../contracts/support-chat-metrics';

/** Properties of `KnowledgeSync`. */
export interface KnowledgeSyncProps {
  /** Prefix of the function's, role's, rules' and alarm's names (the tenant's, `support-chat`). */
  readonly namePrefix: string;
  readonly region: string;
  /** The knowledge base and its data source. */
  readonly knowledgeBaseId: string;
  readonly knowledgeBaseArn: string;
  readonly dataSourceId: string;
  /** The data-source bucket: its object events start a synchronization. */
  readonly documents: IBucket;
  /** The EventBridge schedule expression of the periodic synchronization (`rate(1 hour)`). */
  readonly schedule: string;
  /** Failed synchronizations in an hour at or above which the alarm fires. */
  readonly alarmThreshold: number;
  /** The tenant's alarm topic. */
  readonly topic: ITopic;
  readonly logKey: IKey;
  readonly logRetention: RetentionDays;
}

/** A metric the synchronization publishes (namespace `SupportChat`, dimension `service` = `support-chat-knowledge-sync`). */
export function knowledgeSyncMetric(metricName: 'KnowledgeSyncFailures' | 'KnowledgeSyncsStarted', period: Duration): Metric {
  const dimensionsMap = { [SUPPORT_CHAT_SERVICE_DIMENSION]: SUPPORT_CHAT_SERVICES.knowledgeSync };
  return new Metric({ namespace: SUPPORT_CHAT_METRICS_NAMESPACE, metricName, dimensionsMap, statistic: 'Sum', period });
}

/**
 * Keeps the knowledge base in step with its documents. `StartIngestionJob` cannot be an EventBridge rule's target (a
 * rule targets services, not arbitrary API calls), and its failures must become a metric, so a small function
 * (`knowledge/handlers/knowledge-sync.ts`, bundled with esbuild) starts the ingestion job:
 *
 * - `<prefix>-knowledge-documents-changed`: every `Object Created` and `Object Deleted` event of the data-source bucket;
 * - `<prefix>-knowledge-schedule`: the configured schedule, which also catches changes made while a job was running;
 * - `<prefix>-knowledge-sync-failures`: `KnowledgeSyncFailures` plus the function's Lambda `Errors` in an hour at or
 *   above the threshold, to the tenant's topic.
 *
 * The function runs with one concurrent execution (Bedrock runs one ingestion job per data source at a time), outside
 * the VPC: it calls only the Bedrock Agent control plane, for which the baseline VPC has no endpoint by default.
 */
export class KnowledgeSync extends Construct {
  public readonly function: LambdaFunction;
  public readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: KnowledgeSyncProps) {
    super(scope, id);
    const functionName = `${props.namePrefix}-knowledge-sync`;
    const roleName = `${props.namePrefix}-knowledge-sync-${props.region}`;
    const role = new Role(this, 'Role', { roleName, assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const policy = new ManagedPolicy(this, 'Policy', {
      managedPolicyName: roleName,
      roles: [role],
      statements: [new PolicyStatement({
        sid: 'IngestTheKnowledgeBase',
        actions: ['bedrock:StartIngestionJob', 'bedrock:ListIngestionJobs'],
        resources: [props.knowledgeBaseArn],
      })],
    });
    allowOwnLogStreams(policy, functionName);
    this.function = new LambdaFunction(this, 'Function', {
      functionName,
      description: 'Support chat: starts the knowledge base\'s ingestion job on document changes and on a schedule; counts failed syncs',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromAsset(handlerAssetDirectory(path.join(__dirname, '..', 'handlers', 'knowledge-sync.ts'))),
      role,
      timeout: Duration.seconds(30),
      memorySize: 256,
      reservedConcurrentExecutions: 1,
      logGroup: functionLogGroup(this, 'Logs', { functionName, encryptionKey: props.logKey, retention: props.logRetention }),
      loggingFormat: LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps', KNOWLEDGE_BASE_ID: props.knowledgeBaseId, DATA_SOURCE_ID: props.dataSourceId },
    });
    dependOnRolePolicies(this.function, () => [policy]);
    // Its reserved concurrency of 1 satisfies the concurrency rules: only the VPC and dead-letter findings are acknowledged.
    const outsideVpc = 'Calls only the Bedrock Agent control plane (ListIngestionJobs, StartIngestionJob), for which the baseline VPC has no endpoint unless baseline.network.additionalEndpoints lists bedrock-agent; it reads no documents and no customer data';
    const noDeadLetters = 'EventBridge invokes it asynchronously; a failed start is counted in KnowledgeSyncFailures and alarmed, and each start synchronizes the whole data source, so the next object event or the schedule repairs it: no event needs replaying';
    acknowledgeFinding(this.function,
      { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: outsideVpc },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC', reason: outsideVpc },
      { id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC', reason: outsideVpc },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason: noDeadLetters },
      { id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ', reason: noDeadLetters },
    );

    const target = new LambdaTarget(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) });
    new Rule(this, 'DocumentsChanged', {
      ruleName: `${props.namePrefix}-knowledge-documents-changed`,
      description: 'Support chat: a document of the knowledge base was created or deleted',
      eventPattern: { source: ['aws.s3'], detailType: ['Object Created', 'Object Deleted'], detail: { bucket: { name: [props.documents.bucketName] } } },
      targets: [target],
    });
    new Rule(this, 'Schedule', {
      ruleName: `${props.namePrefix}-knowledge-schedule`,
      description: 'Support chat: the knowledge base\'s periodic synchronization',
      schedule: Schedule.expression(props.schedule),
      targets: [target],
    });

    const hour = Duration.hours(1);
    this.alarm = new Alarm(this, 'Failures', {
      alarmName: `${props.namePrefix}-knowledge-sync-failures`,
      alarmDescription: `Support chat: ${props.alarmThreshold} or more failed knowledge-base synchronizations in an hour (KnowledgeSyncFailures + the sync function's Lambda Errors)`,
      metric: new MathExpression({
        expression: 'FILL(failures, 0) + FILL(errors, 0)',
        usingMetrics: { failures: knowledgeSyncMetric('KnowledgeSyncFailures', hour), errors: this.function.metricErrors({ statistic: 'Sum', period: hour }) },
        label: 'Failed knowledge-base synchronizations',
        period: hour,
      }),
      threshold: props.alarmThreshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const notify = new SnsAction(props.topic);
    this.alarm.addAlarmAction(notify);
    this.alarm.addOkAction(notify);
  }
}
