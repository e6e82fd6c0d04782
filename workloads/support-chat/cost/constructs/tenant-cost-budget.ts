import { Stack } from 'aws-cdk-lib';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MAX_BUDGET_NOTIFICATIONS } from '../budget-thresholds';

/** Properties of a `TenantCostBudget`. */
export interface TenantCostBudgetProps {
  /** The budget's name (unique in the account). */
  readonly budgetName: string;
  /** The month's limit, USD (`monthlyBudgetUsd`). */
  readonly monthlyLimitUsd: number;
  /** The cost-allocation tag the budget counts: the tenant's resources carry it (it must be activated in the payer account). */
  readonly tag: { readonly key: string; readonly value: string };
  /** Forecast thresholds, percent of the limit (`budgetThresholds`): each notifies when the month's forecast reaches it. */
  readonly thresholds: readonly number[];
  /** The tenant's alert topic; AWS Budgets is allowed to publish to it (and to use its key, when it has one). */
  readonly topic: ITopic;
}

/**
 * An AWS Budgets cost budget of one tenant (`AWS::Budgets::Budget`): monthly, on the costs that carry the tenant's
 * cost-allocation tag, notifying the tenant's alert topic when the month's forecast reaches each threshold, and when the
 * actual cost passes the limit (when a notification is left of the five a budget may have). The topic's policy lets
 * `budgets.amazonaws.com` publish for this account's budgets only, and its key, when it has one, lets it encrypt
 * (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).
 */
export class TenantCostBudget extends Construct {
  public readonly budget: CfnBudget;

  constructor(scope: Construct, id: string, props: TenantCostBudgetProps) {
    super(scope, id);
    if (!(props.monthlyLimitUsd > 0)) throw new Error(`a budget's monthly limit must be over 0 USD, not ${props.monthlyLimitUsd}`);
    if (props.thresholds.length === 0 || props.thresholds.length > MAX_BUDGET_NOTIFICATIONS) {
      throw new Error(`a budget has 1 to ${MAX_BUDGET_NOTIFICATIONS} forecast thresholds, not ${props.thresholds.length}`);
    }
    const bad = props.thresholds.filter((t) => !(t > 0 && t <= 100));
    if (bad.length > 0) throw new Error(`budget thresholds are percentages over 0 and at most 100, not ${bad.join(', ')}`);
    const { account } = Stack.of(this);
    const budgets = new ServicePrincipal('budgets.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:${Stack.of(this).partition}:budgets::${account}:*` } },
    });
    props.topic.grantPublish(budgets);
    props.topic.masterKey?.grant(budgets, 'kms:Decrypt', 'kms:GenerateDataKey*');
    const subscribers = [{ subscriptionType: 'SNS', address: props.topic.topicArn }];
    const notify = (notificationType: 'FORECASTED' | 'ACTUAL', threshold: number): CfnBudget.NotificationWithSubscribersProperty => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });
    const forecasts = props.thresholds.map((t) => notify('FORECASTED', t));
    this.budget = new CfnBudget(this, 'Budget', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' },
        filterExpression: { tags: { key: props.tag.key, values: [props.tag.value], matchOptions: ['EQUALS'] } },
      },
      notificationsWithSubscribers: forecasts.length < MAX_BUDGET_NOTIFICATIONS ? [...forecasts, notify('ACTUAL', 100)] : forecasts,
    });
    // The topic's policy first: Budgets checks it can publish when the budget is created.
    const policy = props.topic.node.tryFindChild('Policy');
    if (policy) this.budget.node.addDependency(policy);
  }
}
