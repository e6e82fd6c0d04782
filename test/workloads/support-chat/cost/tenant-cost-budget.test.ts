import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { TopicKey } from '../../../../building-blocks/kms/topic-key';
import { type BudgetRules, DEFAULT_BUDGET_RULES, decideBudget } from '../../../../workloads/support-chat/chat/handlers/lib/budget';
import { budgetThresholds, monthlyBudgetUsd, outputShare } from '../../../../workloads/support-chat/cost/budget-thresholds';
import { TenantCostBudget, type TenantCostBudgetProps } from '../../../../workloads/support-chat/cost/constructs/tenant-cost-budget';
import { tenantCostPrices } from '../../../../workloads/support-chat/cost/cost-prices';
import { exampleConfig } from '../../../support/example-config';
import { exampleEstate } from '../../../support/example-estate';

/*
 * The tenant's AWS Budgets budget: its thresholds derived from the AppConfig budget rules so that each notification
 * comes before the tier it precedes starts downgrading, and the budget resource with the alert topic it notifies (one
 * small stack of its own).
 */

const ACCOUNT = '210987654321';

describe('the thresholds come before the downgrades', () => {
  test('a lead of 100 points or more, or a negative one, is refused', () => {
    expect(() => budgetThresholds(DEFAULT_BUDGET_RULES, 100)).toThrow(/lead must be 0 to under 100/);
    expect(() => budgetThresholds(DEFAULT_BUDGET_RULES, -1)).toThrow(/lead must be 0 to under 100/);
  });

  test('more tiers than a budget has notifications are refused', () => {
    const tiers = [0.9, 0.7, 0.5, 0.3, 0.2, 0.1].map((below) => ({ below, simple: 'fast' as const, complex: 'fast' as const }));
    expect(() => budgetThresholds({ routing: { simple: 'fast', complex: 'capable' }, tiers })).toThrow(/6 budget tiers need 6 notifications; AWS Budgets allows 5/);
  });

  const rulesCases: [string, BudgetRules][] = [
    ['the default rules', DEFAULT_BUDGET_RULES],
    ['rules that downgrade at half the budget', {
      routing: { simple: 'fast', complex: 'capable' },
      tiers: [{ below: 0.5, simple: 'fast', complex: 'capable' }, { below: 0.05, simple: 'fast', complex: 'fast' }],
    }],
  ];
  test.each(rulesCases)('%s: at each threshold no tier it precedes applies yet; at the tier\'s own start it does', (_name, rules) => {
    const thresholds = budgetThresholds(rules);
    expect(thresholds).toHaveLength(rules.tiers.length);
    const starts = [...rules.tiers].sort((a, b) => b.below - a.below);
    thresholds.forEach((threshold, i) => {
      const tier = starts[i];
      const atThreshold = decideBudget({ user: 1, tenant: 1 - threshold / 100 }, 'complex', rules);
      expect(atThreshold.kind === 'model' && atThreshold.tier !== undefined && atThreshold.tier <= tier.below).toBe(false);
      const pastStart = decideBudget({ user: 1, tenant: tier.below - 0.001 }, 'complex', rules);
      expect(pastStart).toMatchObject({ kind: 'model', tier: tier.below });
    });
  });

  test('the default rules notify at 60 % and 80 %, ten points before the 70 % and 90 % downgrades', () => {
    expect(budgetThresholds(DEFAULT_BUDGET_RULES)).toEqual([60, 80]);
  });

  test('without tiers, one threshold before the budget is exhausted', () => {
    expect(budgetThresholds({ routing: { simple: 'fast', complex: 'capable' }, tiers: [] })).toEqual([90]);
  });
});

describe('the month\'s limit', () => {
  test('a lower bound of what the month\'s daily token budgets cost at any of the tenant\'s profiles', () => {
    const config = exampleConfig();
    const tenant = config.workloads.supportChat!;
    const prices = tenantCostPrices(config, 'eu-central-1')!;
    const share = outputShare({ historyTokens: tenant.limits.historyTokens, maxAnswerTokens: 1_024 });
    const limit = monthlyBudgetUsd(tenant.limits.dailyTokensPerTenant, prices, share);
    expect(limit).toBeGreaterThan(0);
    for (const p of Object.values(prices.profiles)) {
      const atProfile = tenant.limits.dailyTokensPerTenant * 31 * (p.inputPerMillionTokens * (1 - share) + p.outputPerMillionTokens * share) / 1e6;
      expect(limit).toBeLessThanOrEqual(Math.ceil(atProfile * 100) / 100);
    }
  });

  test('no profile priced, no limit', () => {
    expect(() => monthlyBudgetUsd(1_000, { profiles: {}, guardrail: { policies: [], perThousandTextUnits: {} } }, 0.1)).toThrow(/at least one profile/);
  });
});

describe('AWS::Budgets::Budget of the tenant', () => {
  function build(overrides: Partial<TenantCostBudgetProps> = {}): Stack {
    const stack = new Stack(new App(), 'BudgetTest', { env: { account: ACCOUNT, region: 'eu-central-1' } });
    const key = new TopicKey(stack, 'Key', { description: 'alerts', publisher: new ServicePrincipal('cloudwatch.amazonaws.com') });
    const topic = new Topic(stack, 'Alerts', { masterKey: key, enforceSSL: true });
    new TenantCostBudget(stack, 'Budget', {
      budgetName: 'support-chat-monthly', monthlyLimitUsd: 133.7, tag: { key: 'workload', value: 'support-chat' }, thresholds: [60, 80], topic, ...overrides,
    });
    return stack;
  }
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(build());
  });

  test('a limit of 0, no threshold, six thresholds or a threshold over 100 is refused', () => {
    expect(() => build({ monthlyLimitUsd: 0 })).toThrow(/monthly limit must be over 0 USD/);
    expect(() => build({ thresholds: [] })).toThrow(/1 to 5 forecast thresholds, not 0/);
    expect(() => build({ thresholds: [10, 20, 30, 40, 50, 60] })).toThrow(/not 6/);
    expect(() => build({ thresholds: [60, 120] })).toThrow(/not 120/);
  });

  test('monthly, on the tenant\'s tag, forecast notifications at each threshold and the actual at 100 %, to the alert topic', () => {
    const [budget] = Object.values(template.findResources('AWS::Budgets::Budget')) as { Properties: Record<string, any> }[];
    expect(budget.Properties.Budget).toMatchObject({
      BudgetName: 'support-chat-monthly',
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 133.7, Unit: 'USD' },
      FilterExpression: { Tags: { Key: 'workload', Values: ['support-chat'], MatchOptions: ['EQUALS'] } },
    });
    const notifications = budget.Properties.NotificationsWithSubscribers.map((n: any) => [n.Notification.NotificationType, n.Notification.Threshold]);
    expect(notifications).toEqual([['FORECASTED', 60], ['FORECASTED', 80], ['ACTUAL', 100]]);
    const topicRef = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    for (const n of budget.Properties.NotificationsWithSubscribers) expect(n.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: { Ref: topicRef } }]);
  });

  test('Budgets may publish to the topic for this account\'s budgets only, and use the topic\'s key', () => {
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as { Properties: Record<string, any> }[];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Principal: { Service: 'budgets.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:budgets::${ACCOUNT}:*`]] } } },
    }));
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as { Properties: Record<string, any> }[];
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Allow', Principal: { Service: 'budgets.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    }));
    const [budgetId] = Object.keys(template.findResources('AWS::Budgets::Budget'));
    expect(template.toJSON().Resources[budgetId].DependsOn).toEqual(expect.arrayContaining([Object.keys(template.findResources('AWS::SNS::TopicPolicy'))[0]]));
  });
});

describe('the example tenant\'s budget (the example estate, synthesized with every gate)', () => {
  test('one budget, in the tenant\'s first Region, on its workload tag, notifying its alert topic before the downgrades', () => {
    const { supportChat, config } = exampleEstate();
    const tenant = config.workloads.supportChat!;
    const budgets = supportChat.map((s) => Object.values(s.template.findResources('AWS::Budgets::Budget')) as { Properties: Record<string, any> }[]);
    expect(budgets.flat()).toHaveLength(1);
    expect(budgets[0]).toHaveLength(1);
    const budget = budgets[0][0].Properties;
    const prices = tenantCostPrices(config, tenant.regions[0])!;
    const share = outputShare({ historyTokens: tenant.limits.historyTokens, maxAnswerTokens: 1_024 });
    expect(budget.Budget.BudgetLimit.Amount).toBe(monthlyBudgetUsd(tenant.limits.dailyTokensPerTenant, prices, share));
    expect(budget.Budget.FilterExpression.Tags).toEqual({ Key: 'workload', Values: ['support-chat'], MatchOptions: ['EQUALS'] });
    const forecasts = budget.NotificationsWithSubscribers.filter((n: any) => n.Notification.NotificationType === 'FORECASTED').map((n: any) => n.Notification.Threshold);
    expect(forecasts).toEqual(budgetThresholds(DEFAULT_BUDGET_RULES));
    const [topicId] = Object.keys(supportChat[0].template.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'support-chat-alarms' } }));
    expect(budget.NotificationsWithSubscribers[0].Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: { Ref: topicId } }]);
  });
});
