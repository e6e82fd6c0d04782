import Ajv from 'ajv-draft-04';
import { defaultChatSettings, parseChatSettings, settingsJsonSchema } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { CONVERSATION_ACTIONS } from '../../../../workloads/support-chat/chat/handlers/lib/session-policy';
import { tenantAllowedProfiles, tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleEstate } from '../../../support/example-estate';

/**
 * The tenant's AppConfig resources and interface endpoints as the example estate synthesizes them: the validator AppConfig
 * runs is the settings' schema with the Region's approved profiles, the first version passes it and the handler's check,
 * the environment rolls back on the tenant's alarms through a role that can read only those, the deployment is gradual,
 * and each endpoint admits this account's principals on the tenant's own resource only.
 */

type Properties = Record<string, any>;

describe('support-chat settings in AppConfig and the tenant endpoints (synthesized example estate)', () => {
  const { config, supportChat } = exampleEstate();
  const chat = supportChat[0];
  const only = (type: string): [string, Properties] => {
    const found = Object.entries(chat.template.findResources(type));
    expect(found).toHaveLength(1);
    return [found[0][0], found[0][1].Properties];
  };
  const [profileId, profile] = only('AWS::AppConfig::ConfigurationProfile');
  const [environmentId, environment] = only('AWS::AppConfig::Environment');
  const [strategyId, strategy] = only('AWS::AppConfig::DeploymentStrategy');
  const [versionId, version] = only('AWS::AppConfig::HostedConfigurationVersion');
  const [, deployment] = only('AWS::AppConfig::Deployment');
  const allowed = tenantAllowedProfiles(config, chat.region);
  const alarmId = (name: string) => Object.entries(chat.template.findResources('AWS::CloudWatch::Alarm')).find(([, a]) => a.Properties.AlarmName === name)![0];
  const endpoint = (service: string) => Object.values(chat.template.findResources('AWS::EC2::VPCEndpoint'))
    .find((e) => e.Properties.ServiceName === `com.amazonaws.${chat.region}.${service}`)!.Properties;
  const turnPolicy = Object.values(chat.template.findResources('AWS::IAM::ManagedPolicy'))
    .find((p) => p.Properties.ManagedPolicyName === `support-chat-turn-${chat.region}`)!.Properties.PolicyDocument;
  const settingsArn = turnPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'ReadTheSettings').Resource;

  test('the validator is the settings schema with exactly the Region\'s approved profiles', () => {
    expect(profile).toMatchObject({ LocationUri: 'hosted', Type: 'AWS.Freeform' });
    expect(profile.Validators).toEqual([{ Type: 'JSON_SCHEMA', Content: JSON.stringify(settingsJsonSchema(allowed)) }]);
  });

  test('the first version is the config\'s models with the defaults and the hand-off\'s unresolved turns, and passes the validator and the handler\'s check', () => {
    const content = JSON.parse(version.Content);
    const defaults = defaultChatSettings(tenantModels(config, chat.region));
    const handOff = config.workloads.supportChat!.handOff;
    expect(handOff).toBeDefined();
    expect(content).toEqual({ ...defaults, limits: { ...defaults.limits, unresolvedTurnsBeforeHandOff: handOff!.unresolvedTurns } });
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(profile.Validators[0].Content));
    expect([validate(content), validate.errors]).toEqual([true, null]);
    expect(parseChatSettings(content, allowed)).toMatchObject({ ok: true });
    expect(version.ConfigurationProfileId).toEqual({ Ref: profileId });
  });

  test('the live environment rolls back on the error-rate, latency, success-rate and rejected-settings alarms, read by a role that may read only those', () => {
    const monitorRole = Object.entries(chat.template.findResources('AWS::IAM::Role'))
      .find(([, r]) => r.Properties.RoleName === `support-chat-appconfig-monitor-${chat.region}`)!;
    const alarms = ['support-chat-error-rate', 'support-chat-turn-latency-p95', 'support-chat-success-rate', 'support-chat-settings-rejected'].map(alarmId);
    expect(environment.Monitors).toEqual(alarms.map((id) => ({ AlarmArn: { 'Fn::GetAtt': [id, 'Arn'] }, AlarmRoleArn: { 'Fn::GetAtt': [monitorRole[0], 'Arn'] } })));
    expect(monitorRole[1].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'appconfig.amazonaws.com' } }),
    ]);
    const monitorPolicy = Object.values(chat.template.findResources('AWS::IAM::ManagedPolicy'))
      .find((p) => p.Properties.ManagedPolicyName === `support-chat-appconfig-monitor-${chat.region}`)!.Properties;
    // The policy lists the same alarms (in the order CDK merges them).
    const resourceIds = (resources: { 'Fn::GetAtt': string[] }[]) => resources.map((r) => r['Fn::GetAtt'][0]).sort();
    expect(monitorPolicy.PolicyDocument.Statement).toEqual([{
      Sid: 'TheRollbackAlarms', Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: expect.any(Array),
    }]);
    expect(resourceIds(monitorPolicy.PolicyDocument.Statement[0].Resource)).toEqual([...alarms].sort());
  });

  test('the first version deploys to the live environment linearly: 20 % every 2 minutes over 10, then 10 minutes of bake', () => {
    expect(strategy).toMatchObject({ GrowthType: 'LINEAR', GrowthFactor: 20, DeploymentDurationInMinutes: 10, FinalBakeTimeInMinutes: 10 });
    expect(deployment).toMatchObject({
      EnvironmentId: { Ref: environmentId },
      ConfigurationProfileId: { Ref: profileId },
      ConfigurationVersion: { Ref: versionId },
      DeploymentStrategyId: { Ref: strategyId },
    });
  });

  test('the turn reads that configuration: its application, environment and profile in its environment, the data-plane calls on its ARN', () => {
    const turn = Object.values(chat.template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.FunctionName === 'support-chat-turn')!;
    expect(turn.Properties.Environment.Variables).toMatchObject({
      APPCONFIG_ENVIRONMENT: { Ref: environmentId }, APPCONFIG_PROFILE: { Ref: profileId }, ALLOWED_PROFILES: JSON.stringify(allowed),
    });
    expect(JSON.stringify(settingsArn)).toContain(`{"Ref":"${environmentId}"}`);
    expect(JSON.stringify(settingsArn)).toContain(`{"Ref":"${profileId}"}`);
  });

  const thisAccount = { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } };
  const tableId = Object.keys(chat.template.findResources('AWS::DynamoDB::Table'))[0];
  const dataRoleId = Object.entries(chat.template.findResources('AWS::IAM::Role'))
    .find(([, r]) => r.Properties.RoleName === `support-chat-conversation-data-${chat.region}`)![0];
  test.each([
    ['appconfigdata', ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'], () => settingsArn],
    ['dynamodb', [...CONVERSATION_ACTIONS], () => ({ 'Fn::GetAtt': [tableId, 'Arn'] })],
    ['sts', 'sts:AssumeRole', () => ({ 'Fn::GetAtt': [dataRoleId, 'Arn'] })],
  ])('the %s endpoint: private DNS off, this account\'s principals only, on the tenant\'s own resource only', (service, actions, resource) => {
    const properties = endpoint(service);
    expect(properties.PrivateDnsEnabled).toBe(false);
    expect(properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
      Effect: 'Allow', Principal: '*', Action: actions, Resource: resource(), Condition: thisAccount,
    })]);
  });
});
