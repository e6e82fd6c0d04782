import { ResourceType } from '@aws-sdk/client-config-service';
import { App, BootstraplessSynthesizer } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { CfnConfigurationRecorder, CfnDeliveryChannel } from 'aws-cdk-lib/aws-config';
import { baselineAccounts } from '../../config/accounts';
import { aiSecurityStandardArn, CONFORMANCE_PACK_RULES, conformancePackRulesIn, RECORDED_RESOURCE_TYPES } from '../../contracts/detective-controls';
import { APP_CONTEXT } from '../../stacks/app-context';
import { conformancePackTemplate } from '../../stacks/audit/bedrock-conformance-pack';
import { BaselineRegionalStack } from '../../stacksets/baseline/baseline-regional-stack';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

// DET-SH-1 and DET-CFG-1: AWS's own detective controls, on the example estate's synthesized templates.

const only = (template: Template, type: string): any[] => Object.values(template.findResources(type)).map((r: any) => r.Properties);

describe('DET-SH-1: Security Hub CSPM with the AI Security Best Practices standard, administered from the audit account', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const home = config.organization.homeRegion;
  const audit = config.accounts.find((a) => a.name === config.topology.audit)!.id;
  const [homeStack, ...others] = estate.detective;
  const targets = config.baseline.targetOrganizationalUnits ?? config.organization.workloadOrganizationalUnits;

  test('the management account makes the audit account the delegated administrator, once (home Region)', () => {
    expect(only(estate.management.template, 'AWS::SecurityHub::DelegatedAdmin')).toEqual([{ AdminAccountId: audit }]);
  });

  test('the home Region\'s stack: aggregation with the other governed Regions, central configuration, the AI standard, every control on', () => {
    expect([homeStack.artifact.environment.account, homeStack.artifact.environment.region]).toEqual([audit, home]);
    const t = homeStack.template;
    const linked = config.organization.governedRegions.filter((r) => r !== home);
    expect(only(t, 'AWS::SecurityHub::FindingAggregator')).toEqual([{ RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: linked }]);
    expect(only(t, 'AWS::SecurityHub::OrganizationConfiguration')).toEqual([{ AutoEnable: false, AutoEnableStandards: 'NONE', ConfigurationType: 'CENTRAL' }]);
    const [policy] = only(t, 'AWS::SecurityHub::ConfigurationPolicy');
    expect(policy.ConfigurationPolicy.SecurityHub).toEqual({
      ServiceEnabled: true,
      EnabledStandardIdentifiers: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:${home}::standards/ai-security-best-practices/v/1.0.0`]] }],
      SecurityControlsConfiguration: { DisabledSecurityControlIdentifiers: [] },
    });
    expect(aiSecurityStandardArn(home)).toBe(`arn:aws:securityhub:${home}::standards/ai-security-best-practices/v/1.0.0`);
  });

  test('the policy is associated with each target OU of the baseline, and with nothing else (no root, no account)', () => {
    const ouIds = targets.map((p) => config.organizationalUnits.find((o) => o.path === p)!.id);
    const associations = only(homeStack.template, 'AWS::SecurityHub::PolicyAssociation');
    expect(associations.map((a) => [a.TargetType, a.TargetId]).sort()).toEqual(ouIds.map((id) => ['ORGANIZATIONAL_UNIT', id]).sort());
  });

  test('the other Regions\' stacks hold no Security Hub resource (central configuration lives in the home Region)', () => {
    for (const stack of others) expect(Object.values(stack.template.toJSON().Resources).filter((r: any) => r.Type.startsWith('AWS::SecurityHub::'))).toEqual([]);
  });
});

describe('DET-CFG-1: the recorder in every member account × Region and the Bedrock conformance pack from the audit account', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const regional = estate.baseline.regional.template;
  const audit = config.accounts.find((a) => a.name === config.topology.audit)!.id;

  test('the member baseline records only the pack\'s and the standard\'s resource types, continuously, into the invocation-log bucket under aws-config/', () => {
    const [recorder] = only(regional, 'AWS::Config::ConfigurationRecorder');
    expect(recorder.Name).toBe('genai-governance-recorder');
    expect(recorder.RecordingGroup).toEqual({
      AllSupported: false, IncludeGlobalResourceTypes: false, ResourceTypes: [...RECORDED_RESOURCE_TYPES], RecordingStrategy: { UseOnly: 'INCLUSION_BY_RESOURCE_TYPES' },
    });
    expect(recorder.RecordingMode).toEqual({ RecordingFrequency: 'CONTINUOUS' });
    for (const rule of CONFORMANCE_PACK_RULES) expect(RECORDED_RESOURCE_TYPES).toContain(rule.resourceType);
    const [channel] = only(regional, 'AWS::Config::DeliveryChannel');
    expect(channel.S3KeyPrefix).toBe('aws-config');
    const buckets = regional.findResources('AWS::S3::Bucket');
    const [logBucketId] = Object.entries(buckets).find(([, b]: any) => JSON.stringify(b.Properties.BucketName).includes('invocation-logs'))!;
    expect(channel.S3BucketName).toEqual({ Ref: logBucketId });
    expect(Object.keys(regional.findResources('AWS::Config::DeliveryChannel', { DependsOn: [Object.keys(regional.findResources('AWS::Config::ConfigurationRecorder'))[0]] }))).toHaveLength(1);
  });

  test('the recorder\'s role writes only under aws-config/AWSLogs/<account>/Config/ and is trusted by Config for this account only', () => {
    const role = only(regional, 'AWS::IAM::Role').find((r) => JSON.stringify(r.RoleName ?? '').includes('genai-governance-config-recorder'))!;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
      Principal: { Service: 'config.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    })]);
    const delivery = only(regional, 'AWS::IAM::ManagedPolicy').find((p) => JSON.stringify(p.ManagedPolicyName ?? '').includes('genai-governance-config-recorder'))!;
    const put = delivery.PolicyDocument.Statement.find((s: any) => s.Sid === 'DeliverConfiguration');
    expect(JSON.stringify(put.Resource)).toContain('/aws-config/AWSLogs/');
  });

  test('an organization conformance pack in every governed Region, from the audit account, leaving out the accounts without the recorder', () => {
    const recorded = new Set(baselineAccounts(config).map((a) => a.id));
    const excluded = config.accounts.map((a) => a.id).filter((id) => !recorded.has(id));
    expect(excluded).toEqual(expect.arrayContaining([audit]));
    const home = config.organization.homeRegion;
    const regions = [home, ...config.organization.governedRegions.filter((r) => r !== home)];
    expect(estate.detective.map((s) => s.artifact.environment.region)).toEqual(regions);
    for (const stack of estate.detective) {
      const [pack] = only(stack.template, 'AWS::Config::OrganizationConformancePack');
      expect(pack.OrganizationConformancePackName).toBe('genai-governance-bedrock');
      expect(pack.ExcludedAccounts).toEqual(excluded);
      const body = JSON.parse(pack.TemplateBody);
      const rules = conformancePackRulesIn(stack.artifact.environment.region).map((r) => r.name);
      expect(Object.values(body.Resources).map((r: any) => r.Properties.ConfigRuleName)).toEqual(rules);
    }
  });

  test('every recorded type, and so every type a rule evaluates, is a ResourceType of the Config API model; the pack\'s template stays far under 51,200 bytes', () => {
    const apiTypes = new Set<string>(Object.values(ResourceType));
    expect(RECORDED_RESOURCE_TYPES.filter((t) => !apiTypes.has(t))).toEqual([]);
    expect(['AWS::Bedrock::DataSource', 'AWS::BedrockAgentCore::Memory'].filter((t) => apiTypes.has(t))).toEqual([]); // why the managed rules are left out
    expect(CONFORMANCE_PACK_RULES.map((r) => r.resourceType).filter((t) => !(RECORDED_RESOURCE_TYPES as readonly string[]).includes(t))).toEqual([]);
    expect(Buffer.byteLength(conformancePackTemplate('eu-central-1'))).toBeLessThan(5_000);
  });
});

describe('DET-CFG-1 with the accounts\' own recorder', () => {
  test('recorder: existing → the member baseline creates no recorder, no delivery channel and no recorder role', () => {
    const config = exampleConfig();
    const existing = structuredClone(config);
    existing.detective.configConformance.recorder = 'existing';
    const stack = new BaselineRegionalStack(new App({ context: { ...APP_CONTEXT } }), 'Regional', { config: existing, synthesizer: new BootstraplessSynthesizer() });
    expect(stack.configRecording).toBeUndefined();
    expect(stack.node.findAll().filter((c) => c instanceof CfnConfigurationRecorder || c instanceof CfnDeliveryChannel)).toEqual([]);
  });
});
