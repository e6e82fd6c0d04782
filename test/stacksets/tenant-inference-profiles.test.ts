import { App } from 'aws-cdk-lib';
import { applicationProfileArnParameterName, TENANT_ROLE_TAG_KEY, TENANT_TAG_KEY } from '../../contracts/tenant-inference-profiles';
import { STACK_SET_NAMES } from '../../stacks/estate';
import { SUPPORT_CHAT_TENANT, TenantInferenceProfilesStack } from '../../stacksets/tenant-profiles/tenant-inference-profiles-stack';
import { tenantProfileSources } from '../../stacksets/tenant-profiles/tenant-profile-sources';
import { exampleEstate } from '../support/example-estate';
import { resolveIntrinsics, type Template as RawTemplate } from '../support/resolve-intrinsics';

/**
 * The support-chat tenant's application inference profiles (the member template its StackSet deploys), as the example
 * estate synthesizes them with every gate (in the GovernanceBaseline Stage, rolled out by the StackSets administrator
 * stack), read back resolved as CloudFormation would in the tenant's account.
 */
const TENANT = { account: '741852096357', region: 'eu-central-1' };

describe('tenant application inference profiles (member template)', () => {
  const estate = exampleEstate();
  const config = estate.config;
  const template = estate.baseline.tenantProfiles.template;
  const raw = template.toJSON() as RawTemplate;
  const profiles = Object.entries(template.findResources('AWS::Bedrock::ApplicationInferenceProfile'));
  const parameters = Object.values(template.findResources('AWS::SSM::Parameter'));
  const sources = tenantProfileSources(config, TENANT.region);
  const resolve = (value: unknown) => resolveIntrinsics(value, raw, TENANT);

  test('one profile per model role, each copying the role\'s approved eu. system profile in the tenant\'s account and Region', () => {
    expect(Object.keys(sources).sort()).toEqual(['capable', 'classifier', 'fallback-1', 'fast']);
    const byName = Object.fromEntries(profiles.map(([, r]) => [r.Properties.InferenceProfileName, resolve(r.Properties.ModelSource.CopyFrom)]));
    expect(byName).toEqual(Object.fromEntries(Object.entries(sources).map(([role, id]) => [
      `${SUPPORT_CHAT_TENANT}-${role}`, `arn:aws:bedrock:${TENANT.region}:${TENANT.account}:inference-profile/${id}`,
    ])));
    for (const id of Object.values(sources)) expect(id).toMatch(/^eu\./);
  });

  test('each profile carries the tenant and its role as cost-allocation tags', () => {
    for (const [role] of Object.entries(sources)) {
      const [, profile] = profiles.find(([, r]) => r.Properties.InferenceProfileName === `${SUPPORT_CHAT_TENANT}-${role}`)!;
      const tags = Object.fromEntries((profile.Properties.Tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));
      expect(tags).toMatchObject({ [TENANT_TAG_KEY]: SUPPORT_CHAT_TENANT, [TENANT_ROLE_TAG_KEY]: role });
    }
  });

  test('each profile\'s ARN is published as the contract parameter of its role', () => {
    expect(parameters).toHaveLength(profiles.length);
    for (const role of Object.keys(sources)) {
      const parameter = parameters.find((p) => p.Properties.Name === applicationProfileArnParameterName(SUPPORT_CHAT_TENANT, role as 'fast'))!;
      const [logicalId] = profiles.find(([, r]) => r.Properties.InferenceProfileName === `${SUPPORT_CHAT_TENANT}-${role}`)!;
      expect([parameter.Properties.Type, parameter.Properties.Value]).toEqual(['String', { 'Fn::GetAtt': [logicalId, 'InferenceProfileArn'] }]);
      expect(parameter.Properties.Name).toMatch(new RegExp(`^/genai-governance/workload/application-inference-profiles/${SUPPORT_CHAT_TENANT}/${role}-arn$`));
    }
  });

  test('a config without the tenant has no profiles to make', () => {
    const bare = { ...config, workloads: { ...config.workloads, supportChat: undefined } };
    expect(() => new TenantInferenceProfilesStack(new App(), 'Bare', { config: bare })).toThrow(/no workloads.supportChat tenant/);
  });

  test('the estate\'s StackSets administrator rolls it out to the tenant\'s account alone (its OU, INTERSECTION), in the tenant\'s Regions, without auto-deployment', () => {
    const stackSets = Object.values(estate.stackSets.template.findResources('AWS::CloudFormation::StackSet'));
    const stackSet = stackSets.find((r) => r.Properties.StackSetName === STACK_SET_NAMES.tenantProfiles)!;
    const tenant = config.workloads.supportChat!;
    const account = config.accounts.find((a) => a.name === tenant.account)!;
    expect(account.id).toBe(TENANT.account);
    const ouId = config.organizationalUnits.find((o) => o.path === account.organizationalUnit)!.id;
    expect(stackSet.Properties.StackInstancesGroup).toEqual([{
      DeploymentTargets: { OrganizationalUnitIds: [ouId], Accounts: [account.id], AccountFilterType: 'INTERSECTION' },
      Regions: tenant.regions,
    }]);
    expect([stackSet.Properties.PermissionModel, stackSet.Properties.AutoDeployment]).toEqual(['SERVICE_MANAGED', { Enabled: false }]);
    expect(JSON.parse(stackSet.Properties.TemplateBody).Resources).toEqual(raw.Resources);
    // The baseline's two StackSets are still there, under their names.
    expect(stackSets.map((r) => r.Properties.StackSetName).sort()).toEqual(Object.values(STACK_SET_NAMES).sort());
  });
});
