import { Aws, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { denyGrantsExceptForAwsResources } from '../../../../building-blocks/kms/deny-grants-except-aws-resources';
import { ChatWebAcl, WAF_LOG_GROUP_PREFIX } from '../../../../workloads/support-chat/chat/constructs/chat-waf';
import { synthOne } from '../../../support/estate';

/** The web ACL in front of the chat's user pool, in a stack of its own, synthesized with every gate on. */

const USER_POOL_ARN = 'arn:aws:cognito-idp:eu-central-1:111122223333:userpool/eu-central-1_AbCdEfGhI';

function wafStack(props: { requestsPerFiveMinutes?: number; name?: string } = {}) {
  return synthOne((app) => {
    const stack = new Stack(app, 'ChatWafTest', { env: { account: '111122223333', region: 'eu-central-1' } });
    const key = new Key(stack, 'Key', { description: 'Test: WAF logs', enableKeyRotation: true });
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    denyGrantsExceptForAwsResources(key);
    new ChatWebAcl(stack, 'Waf', { resourceArn: USER_POOL_ARN, logKey: key, logRetention: RetentionDays.ONE_YEAR, ...props });
    return stack;
  });
}

describe('ChatWebAcl: the support chat user pool\'s web ACL', () => {
  const template = wafStack({ name: 'support-chat' });
  const [[aclId, acl]] = Object.entries(template.findResources('AWS::WAFv2::WebACL')) as [string, any][];
  const rules: any[] = acl.Properties.Rules;

  test('is regional, allows by default, with CloudWatch metrics and sampled requests on the ACL and every rule', () => {
    expect(acl.Properties).toMatchObject({ Name: 'support-chat', Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    for (const config of [acl.Properties.VisibilityConfig, ...rules.map((r) => r.VisibilityConfig)]) {
      expect(config).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: expect.stringMatching(/^support-chat-/) });
    }
    expect(new Set(rules.map((r) => r.VisibilityConfig.MetricName)).size).toBe(rules.length);
  });

  test('blocks a client IP above 300 requests in five minutes, before the managed rules', () => {
    const rate = rules.find((r) => r.Statement.RateBasedStatement);
    expect(rate).toMatchObject({
      Priority: 0,
      Action: { Block: {} },
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 300, EvaluationWindowSec: 300 } },
    });
    expect(rate.Statement.RateBasedStatement.ScopeDownStatement).toBeUndefined();
  });

  test('runs AWS\'s known-bad-inputs (Log4j) and common rule sets with their own actions', () => {
    const managed = rules.filter((r) => r.Statement.ManagedRuleGroupStatement).sort((a, b) => a.Priority - b.Priority);
    expect(managed.map((r) => r.Statement.ManagedRuleGroupStatement)).toEqual([
      { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' },
      { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
    ]);
    for (const rule of managed) {
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(rule.Action).toBeUndefined();
    }
    // The ATP group cannot be used with a Cognito user pool.
    expect(JSON.stringify(rules)).not.toContain('AWSManagedRulesATPRuleSet');
    expect(new Set(rules.map((r) => r.Priority)).size).toBe(rules.length);
  });

  test('logs to a KMS-encrypted log group named aws-waf-logs-*, with the retention given, retained', () => {
    const [[groupId, group]] = Object.entries(template.findResources('AWS::Logs::LogGroup')) as [string, any][];
    expect(group.Properties.LogGroupName).toBe(`${WAF_LOG_GROUP_PREFIX}support-chat`);
    expect(group.Properties.LogGroupName.startsWith('aws-waf-logs-')).toBe(true);
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] });
    expect(group.DeletionPolicy).toBe('Retain');
    const [logging] = Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration')) as any[];
    expect(logging.Properties.ResourceArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    // The destination is the log group's ARN without ":*", naming the group by its Ref.
    const [destination] = logging.Properties.LogDestinationConfigs;
    expect(destination).toEqual({ 'Fn::Join': ['', ['arn:aws:logs:eu-central-1:111122223333:log-group:', { Ref: groupId }]] });
  });

  test('redacts the authorization header and the query string (the only way to keep a ?token= out) from the logs', () => {
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayEquals([{ SingleHeader: { Name: 'authorization' } }, { QueryString: {} }]),
    });
  });

  test('is associated with the user pool it is given', () => {
    const associations = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation')) as any[];
    expect(associations).toHaveLength(1);
    expect(associations[0].Properties).toEqual({ ResourceArn: USER_POOL_ARN, WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] } });
  });

  test('takes another rate limit, and refuses one WAF does not accept', () => {
    const strict = wafStack({ requestsPerFiveMinutes: 100 });
    strict.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 100, EvaluationWindowSec: 300 } } })]),
    });
    // Without a name the log group still carries WAF's prefix.
    const [group] = Object.values(strict.findResources('AWS::Logs::LogGroup')) as any[];
    expect(group.Properties.LogGroupName).toMatch(/^aws-waf-logs-[\w-]+$/);
    for (const bad of [9, 2_000_000_001, 150.5]) {
      expect(() => wafStack({ requestsPerFiveMinutes: bad })).toThrow(/requestsPerFiveMinutes must be an integer from 10/);
    }
  });
});
