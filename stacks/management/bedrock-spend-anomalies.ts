import { Stack } from 'aws-cdk-lib';
import { CfnAnomalyMonitor, CfnAnomalySubscription, CfnCostCategory } from 'aws-cdk-lib/aws-ce';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TopicKey } from '../../building-blocks/kms/topic-key';
import { BEDROCK_SPEND_VALUE, SPEND_ANOMALY_NAMES } from '../../contracts/spend-anomaly-names';

/** Cost Explorer's `SERVICE_CODE` of Amazon Bedrock's own line items (the Price List service code `AmazonBedrock`). */
export const BEDROCK_SERVICE_CODE = 'AmazonBedrock';

/** The service principal Cost Anomaly Detection publishes to SNS as (https://docs.aws.amazon.com/cost-management/latest/userguide/ad-SNS.html). */
export const COST_ALERTS_PRINCIPAL = 'costalerts.amazonaws.com';

/** Properties of `BedrockSpendAnomalies`. */
export interface BedrockSpendAnomaliesProps {
  /** An anomaly notifies when its total cost impact (actual minus expected spend) reaches this many USD. */
  readonly minimumImpactUsd: number;
  /**
   * When given, an anomaly must also reach this impact in percent of its expected spend.
   *
   * @default - the absolute impact alone decides
   */
  readonly minimumImpactPercentage?: number;
  /**
   * `SERVICE_CODE` values counted as Bedrock spend besides `AmazonBedrock`: the AWS Marketplace line items of
   * third-party models, as the organization's bill names them.
   *
   * @default - none: only Amazon Bedrock's own line items
   */
  readonly additionalServiceCodes?: readonly string[];
}

/**
 * DASH-1's spend layer in the management (payer) account: AWS Cost Anomaly Detection over the Bedrock spend of every
 * account of the organization, on the bill rather than on metrics.
 *
 * - A cost category `genai-governance-bedrock-spend` whose value `bedrock` is every line item with `SERVICE_CODE`
 *   `AmazonBedrock` (or one of `additionalServiceCodes`), in any linked account. Cost category rules take
 *   `SERVICE_CODE`, not the `SERVICE` name (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_CostCategoryRule.html);
 *   a cost category of the management account spans the consolidated bill.
 * - A customer managed (`CUSTOM`) anomaly monitor on that one cost category value: the documented way to watch a
 *   chosen slice of spend in aggregate for the whole organization. An AWS managed `SERVICE` monitor would watch every
 *   service (an account may hold one, and AWS creates one by default), and a linked-account monitor takes at most 10
 *   accounts (https://docs.aws.amazon.com/cost-management/latest/userguide/getting-started-ad.html#monitor-type-def).
 * - An alert subscription with individual alerts (`IMMEDIATE`, which needs SNS) and a `ThresholdExpression` on
 *   `ANOMALY_TOTAL_IMPACT_ABSOLUTE` (and `ANOMALY_TOTAL_IMPACT_PERCENTAGE` when given, both required), to the
 *   KMS-encrypted topic `genai-governance-alerts-spend`, whose policy and key let `costalerts.amazonaws.com` publish
 *   with the statement AWS documents.
 *
 * What it cannot see: anything before Cost Explorer has the billing data (up to 24 hours), and line items of other
 * service codes (third-party models sold through AWS Marketplace) unless they are named in `additionalServiceCodes`
 * (docs/adr/0011-three-layers-of-usage-and-spend-anomalies.md).
 */
export class BedrockSpendAnomalies extends Construct {
  public readonly costCategory: CfnCostCategory;
  public readonly monitor: CfnAnomalyMonitor;
  public readonly subscription: CfnAnomalySubscription;
  public readonly topic: Topic;

  constructor(scope: Construct, id: string, props: BedrockSpendAnomaliesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const serviceCodes = [BEDROCK_SERVICE_CODE, ...props.additionalServiceCodes ?? []];
    const duplicate = serviceCodes.find((code, i) => serviceCodes.indexOf(code) !== i);
    if (duplicate !== undefined) throw new Error(`DASH-1: the service code "${duplicate}" is counted as Bedrock spend twice; name each code once`);

    this.costCategory = new CfnCostCategory(this, 'CostCategory', {
      name: SPEND_ANOMALY_NAMES.costCategory,
      ruleVersion: 'CostCategoryExpression.v1',
      rules: stack.toJsonString([{
        Value: BEDROCK_SPEND_VALUE,
        Rule: { Dimensions: { Key: 'SERVICE_CODE', Values: serviceCodes, MatchOptions: ['EQUALS'] } },
      }]),
    });
    this.monitor = new CfnAnomalyMonitor(this, 'Monitor', {
      monitorName: SPEND_ANOMALY_NAMES.monitor,
      monitorType: 'CUSTOM',
      monitorSpecification: stack.toJsonString({
        CostCategories: { Key: SPEND_ANOMALY_NAMES.costCategory, Values: [BEDROCK_SPEND_VALUE], MatchOptions: ['EQUALS'] },
      }),
    });
    // The specification names the cost category by its name: the category must exist first.
    this.monitor.addResourceDependency(this.costCategory);

    const key = new TopicKey(this, 'TopicKey', {
      description: 'Generative-AI governance: encrypts the management account\'s Bedrock spend anomaly topic',
      publisher: new ServicePrincipal(COST_ALERTS_PRINCIPAL),
    });
    this.topic = new Topic(this, 'Topic', { topicName: SPEND_ANOMALY_NAMES.topic, masterKey: key, enforceSSL: true });
    const published = this.topic.addToResourcePolicy(new PolicyStatement({
      sid: 'CostAnomalyDetectionPublishes',
      principals: [new ServicePrincipal(COST_ALERTS_PRINCIPAL)],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      // AWS's documented statement has no condition: that costalerts.amazonaws.com sends aws:SourceAccount or
      // aws:SourceArn with its publish is not documented, and a condition it does not meet would drop every alert.
    }));

    const impact = (dimension: string, value: number) => ({ Dimensions: { Key: dimension, Values: [String(value)], MatchOptions: ['GREATER_THAN_OR_EQUAL'] } });
    const absolute = impact('ANOMALY_TOTAL_IMPACT_ABSOLUTE', props.minimumImpactUsd);
    const threshold = props.minimumImpactPercentage === undefined
      ? absolute
      : { And: [absolute, impact('ANOMALY_TOTAL_IMPACT_PERCENTAGE', props.minimumImpactPercentage)] };
    this.subscription = new CfnAnomalySubscription(this, 'Subscription', {
      subscriptionName: SPEND_ANOMALY_NAMES.subscription,
      frequency: 'IMMEDIATE',
      monitorArnList: [this.monitor.attrMonitorArn],
      subscribers: [{ type: 'SNS', address: this.topic.topicArn }],
      thresholdExpression: stack.toJsonString(threshold),
    });
    // Cost Anomaly Detection publishes as soon as the subscription exists: the topic policy comes first.
    if (published.policyDependable) this.subscription.node.addDependency(published.policyDependable);
  }
}
