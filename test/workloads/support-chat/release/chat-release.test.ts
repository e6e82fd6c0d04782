import { tenantReleaseOf } from '../../../../config/schema';
import { RELEASE_STEP_PERCENT } from '../../../../workloads/support-chat/chat/constructs/chat-release';
import { exampleEstate } from '../../../support/example-estate';

interface Resource { Type: string; Properties: Record<string, any>; UpdatePolicy?: Record<string, any>; DependsOn?: string[] }

/**
 * The support-chat tenant's release (docs/adr/0034-tenant-release-by-golden-set-and-canary.md) in the synthesized
 * example estate: the turn and the relay behind their alias `live`, moved by CodeDeploy in 10 % steps, rolled back on
 * the new version's errors and p99 duration, the composite health alarm and the tenant's alarms; the API and the relay
 * invoke the aliases only.
 */
describe('support-chat release: aliases, CodeDeploy traffic shifting and its alarms (synthesized example estate)', () => {
  const estate = exampleEstate();
  const chat = estate.supportChat[0];
  const canary = tenantReleaseOf(estate.config).canary;
  const resources = chat.template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const functionId = (name: string) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === name)![0];
  const aliasOf = (name: string) => {
    const found = ofType('AWS::Lambda::Alias').filter(([, r]) => r.Properties.FunctionName.Ref === functionId(name));
    expect(found).toHaveLength(1);
    return found[0];
  };
  const alarmNamed = (name: string) => ofType('AWS::CloudWatch::Alarm').find(([, r]) => r.Properties.AlarmName === name)!;
  const tenantAlarms = ['support-chat-error-rate', 'support-chat-turn-latency-p95', 'support-chat-success-rate', 'support-chat-settings-rejected', 'support-chat-relay-errors'];

  test('one custom CodeDeploy configuration: 10 % of the alias more every stepMinutes (TimeBasedLinear)', () => {
    const configs = ofType('AWS::CodeDeploy::DeploymentConfig');
    expect(configs).toHaveLength(1);
    expect(configs[0][1].Properties).toEqual({
      ComputePlatform: 'Lambda',
      DeploymentConfigName: `support-chat-${chat.region}-linear-${RELEASE_STEP_PERCENT}-every-${canary.stepMinutes}-min`,
      TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 10, LinearInterval: canary.stepMinutes } },
    });
  });

  test.each([['turn', 'support-chat-turn'], ['relay', 'support-chat-relay']])('the %s: alias live on its current version, updated by its CodeDeploy deployment group', (role, name) => {
    const [aliasId, alias] = aliasOf(name);
    expect(alias.Properties.Name).toBe('live');
    const [versionId] = alias.Properties.FunctionVersion['Fn::GetAtt'];
    expect(resources[versionId]).toMatchObject({ Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: functionId(name) } } });
    const update = alias.UpdatePolicy!.CodeDeployLambdaAliasUpdate;
    const group = resources[update.DeploymentGroupName.Ref];
    expect(group.Type).toBe('AWS::CodeDeploy::DeploymentGroup');
    expect(resources[update.ApplicationName.Ref].Properties).toMatchObject({ ApplicationName: `support-chat-${chat.region}`, ComputePlatform: 'Lambda' });
    expect(group.Properties).toMatchObject({
      DeploymentGroupName: `support-chat-${role}`,
      DeploymentConfigName: { Ref: ofType('AWS::CodeDeploy::DeploymentConfig')[0][0] },
      AutoRollbackConfiguration: { Enabled: true, Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']) },
      AlarmConfiguration: { Enabled: true },
    });
    // It rolls back on the new version's alarms, the composite and every tenant alarm: within CodeDeploy's 10.
    const alarmIds = group.Properties.AlarmConfiguration.Alarms.map((a: { Name: { Ref: string } }) => a.Name.Ref);
    expect(alarmIds.length).toBeLessThanOrEqual(10);
    const names = alarmIds.map((id: string) => resources[id].Properties.AlarmName);
    expect(names.sort()).toEqual([`support-chat-${role}-release-errors`, `support-chat-${role}-release-p99`, 'support-chat-release-health', ...tenantAlarms].sort());
    // The new version's alarms are updated before CodeDeploy moves the alias.
    expect(alias.DependsOn).toEqual(expect.arrayContaining([alarmNamed(`support-chat-${role}-release-errors`)[0], alarmNamed(`support-chat-${role}-release-p99`)[0]]));
    expect(aliasId).toBeDefined();
  });

  test.each([['turn', 'support-chat-turn', canary.durationP99BaselineMs.turn], ['relay', 'support-chat-relay', canary.durationP99BaselineMs.relay]])(
    'the %s\'s new version: errors above errorRatePercent of its invocations in a minute, p99 above factor × baseline in 2 minutes', (role, name, baseline) => {
      const [, alias] = aliasOf(name);
      const version = alias.Properties.FunctionVersion;
      const dimensions = [
        { Name: 'ExecutedVersion', Value: version },
        { Name: 'FunctionName', Value: name },
        { Name: 'Resource', Value: `${name}:live` },
      ];
      const sorted = (d: { Name: string }[]) => [...d].sort((a, b) => a.Name.localeCompare(b.Name));
      const [, errors] = alarmNamed(`support-chat-${role}-release-errors`);
      expect(errors.Properties).toMatchObject({ Threshold: canary.errorRatePercent, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      type MetricStat = { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string }[] }; Stat: string; Period: number };
      const queries = errors.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: MetricStat }[];
      expect(queries.find((q) => q.Expression)!.Expression).toBe('IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)');
      for (const id of ['errors', 'invocations']) {
        const stat = queries.find((q) => q.Id === id)!.MetricStat!;
        expect(stat).toMatchObject({ Stat: 'Sum', Period: 60, Metric: { Namespace: 'AWS/Lambda', MetricName: id === 'errors' ? 'Errors' : 'Invocations' } });
        expect(sorted(stat.Metric.Dimensions)).toEqual(dimensions);
      }
      const [, p99] = alarmNamed(`support-chat-${role}-release-p99`);
      expect(p99.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        ExtendedStatistic: 'p99',
        Period: 60,
        Threshold: baseline * canary.durationP99Factor,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(sorted(p99.Properties.Dimensions)).toEqual(dimensions);
    });

  test('the composite alarm support-chat-release-health is any of the tenant\'s alarms, and notifies the tenant topic', () => {
    const composites = ofType('AWS::CloudWatch::CompositeAlarm');
    expect(composites).toHaveLength(1);
    const health = composites[0][1].Properties;
    expect(health.AlarmName).toBe('support-chat-release-health');
    const rule = JSON.stringify(health.AlarmRule);
    for (const name of tenantAlarms) expect(rule).toContain(`"${alarmNamed(name)[0]}","Arn"`);
    expect(rule.match(/ALARM\(/g)).toHaveLength(tenantAlarms.length);
    expect(rule).not.toContain(' AND ');
    const [topicId] = ofType('AWS::SNS::Topic').find(([, r]) => r.Properties.TopicName === 'support-chat-alarms')!;
    expect(health.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  test('the API\'s routes invoke the relay\'s alias; the relay invokes the turn\'s alias; nothing invokes the unqualified turn', () => {
    const [relayAliasId] = aliasOf('support-chat-relay');
    const [turnAliasId] = aliasOf('support-chat-turn');
    const apiPermissions = ofType('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com');
    const routePermissions = apiPermissions.filter(([, p]) => JSON.stringify(p.Properties.SourceArn).match(/\$(connect|disconnect|default)/));
    expect(routePermissions).toHaveLength(3);
    for (const [, p] of routePermissions) expect(p.Properties.FunctionName).toEqual({ Ref: relayAliasId });
    for (const [, integration] of ofType('AWS::ApiGatewayV2::Integration')) {
      expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(`"Ref":"${relayAliasId}"`);
    }
    const relay = resources[functionId('support-chat-relay')];
    expect(relay.Properties.Environment.Variables.TURN_FUNCTION_NAME).toEqual({ Ref: turnAliasId });
    const relayPolicy = ofType('AWS::IAM::ManagedPolicy').find(([, r]) => r.Properties.ManagedPolicyName === `support-chat-relay-${chat.region}`)![1];
    const invoke = relayPolicy.Properties.PolicyDocument.Statement.filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invoke).toEqual([{ Sid: 'RunTheTurn', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { Ref: turnAliasId } }]);

    const policies = ofType('AWS::Lambda::ResourcePolicy').map(([, r]) => r.Properties);
    const onAlias = policies.find((p) => p.ResourceArn.Ref === turnAliasId)!;
    const relayRole = relayPolicy.Properties.Roles[0].Ref;
    expect(onAlias.PolicyDocument.Statement).toEqual([
      { Sid: 'TheRelayInvokes', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [relayRole, 'Arn'] } }, Action: 'lambda:InvokeFunction', Resource: { Ref: turnAliasId } },
      {
        Sid: 'OnlyTheRelayInvokes',
        Effect: 'Deny',
        Principal: '*',
        Action: 'lambda:InvokeFunction',
        Resource: { Ref: turnAliasId },
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [relayRole, 'Arn'] } } },
      },
    ]);
    const turnArn = { 'Fn::GetAtt': [functionId('support-chat-turn'), 'Arn'] };
    const unqualified = policies.find((p) => JSON.stringify(p.ResourceArn) === JSON.stringify(turnArn))!;
    expect(unqualified.PolicyDocument.Statement).toEqual([{ Sid: 'OnlyThroughTheAlias', Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Resource: turnArn }]);
    // The turn's two (its alias's, its unqualified ARN's); the privacy function has its own (privacy-stack.test.ts).
    const onTurn = [JSON.stringify(turnArn), JSON.stringify({ Ref: turnAliasId })];
    const onTheTurn = policies.filter((p) => onTurn.includes(JSON.stringify(p.ResourceArn)));
    expect(onTheTurn).toHaveLength(2);
    expect(policies.filter((p) => !onTheTurn.includes(p)).map((p) => JSON.stringify(p.ResourceArn))).toEqual([expect.stringContaining('PrivacyFunction')]);
  });

  test('without a pipeline the example has no golden-set evaluation role (the pipeline\'s tests cover it)', () => {
    expect(estate.config.pipeline).toBeUndefined();
    expect(ofType('AWS::IAM::Role').filter(([, r]) => String(r.Properties.RoleName).includes('release-evaluation'))).toHaveLength(0);
  });
});
