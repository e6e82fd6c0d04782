import { GUARDRAIL_IDENTIFIER_PARAMETER_NAME, GUARDRAIL_TEMPLATE_PARAMETER, WORKLOAD_CONTRACT, WORKLOAD_CONTRACT_PREFIX } from '../../contracts/workload-contract';
import { inferenceProfileIds } from '../../policies/approved-inference';
import { INVOKE_ACTIONS } from '../../policies/bedrock-resources';
import { VERIFIER_ROLE_NAME } from '../../policies/verifier-access';
import { STACK_RECIPES } from '../../stacks/estate';
import { synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { resolveIntrinsics, type Template as RawTemplate } from '../support/resolve-intrinsics';

/**
 * The workload contract: what every member account and governed Region publishes for workloads under
 * `/genai-governance/workload/`, read from the synthesized member template and resolved as CloudFormation would.
 */
const LISTS = new Set(['subnetIds', 'invokePolicyArns', 'inferenceProfileIds']);
const MEMBER = { account: '741852096357', region: 'eu-west-1' };

describe('workload contract (member baseline, regional template)', () => {
  const estate = exampleEstate();
  const regional = estate.baseline.regional.template;
  const raw = regional.toJSON() as RawTemplate & { Mappings: Record<string, Record<string, Record<string, string>>> };
  const parameters = regional.findResources('AWS::SSM::Parameter');
  const byName = (name: string) => Object.entries(parameters).find(([, r]) => r.Properties.Name === name)!;

  test('one SSM parameter per contract entry, all under the one prefix, lists as StringList', () => {
    const contract = Object.values(parameters).filter((r) => String(r.Properties.Name).startsWith(`${WORKLOAD_CONTRACT_PREFIX}/`));
    expect(contract.map((r) => r.Properties.Name).sort()).toEqual(Object.values(WORKLOAD_CONTRACT).sort());
    for (const [key, name] of Object.entries(WORKLOAD_CONTRACT)) {
      expect([name, byName(name)[1].Properties.Type]).toEqual([name, LISTS.has(key) ? 'StringList' : 'String']);
    }
  });

  test('the network entries name the endpoints\' VPC, subnets and security group', () => {
    const [vpcId] = Object.keys(regional.findResources('AWS::EC2::VPC'));
    const subnets = Object.keys(regional.findResources('AWS::EC2::Subnet')).sort();
    const endpoints = Object.values(regional.findResources('AWS::EC2::VPCEndpoint'));
    expect(byName(WORKLOAD_CONTRACT.vpcId)[1].Properties.Value).toEqual({ Ref: vpcId });
    const listed = byName(WORKLOAD_CONTRACT.subnetIds)[1].Properties.Value['Fn::Join'][1].map((r: { Ref: string }) => r.Ref).sort();
    expect(listed).toEqual(subnets);
    expect(endpoints.length).toBeGreaterThan(0);
    const securityGroup = byName(WORKLOAD_CONTRACT.endpointSecurityGroupId)[1].Properties.Value;
    for (const endpoint of endpoints) expect(endpoint.Properties.SecurityGroupIds).toEqual([securityGroup]);
  });

  test('the IAM entries name the boundary and every invoke policy of the global template, in the member account', () => {
    const resolve = (name: string) => resolveIntrinsics(byName(name)[1].Properties.Value, raw, MEMBER);
    const policies = Object.values(estate.baseline.global.template.findResources('AWS::IAM::ManagedPolicy'));
    const policyNames = policies.map((p) => p.Properties.ManagedPolicyName as string);
    const arn = (name: string) => `arn:aws:iam::${MEMBER.account}:policy/${name}`;
    expect(resolve(WORKLOAD_CONTRACT.permissionsBoundaryArn)).toBe(arn('genai-governance-workload-boundary'));
    expect(policyNames).toContain('genai-governance-workload-boundary');
    // The invoke policies are the global template's policies that allow Bedrock inference, the boundary aside (a
    // ceiling, listed on its own); others (the verifier role's read-only policy) are not for workload roles.
    const allowsInvoke = (p: Record<string, any>) => (p.Properties.PolicyDocument.Statement as { Effect: string; Action?: string | string[] }[])
      .some((s) => s.Effect === 'Allow' && ([] as string[]).concat(s.Action ?? []).some((a) => (INVOKE_ACTIONS as readonly string[]).includes(a)));
    const invoke = policies.filter((p) => p.Properties.ManagedPolicyName !== 'genai-governance-workload-boundary' && allowsInvoke(p))
      .map((p) => p.Properties.ManagedPolicyName as string).sort();
    expect(invoke.length).toBeGreaterThan(0);
    const listed = String(resolve(WORKLOAD_CONTRACT.invokePolicyArns)).split(',').sort();
    expect(listed).toEqual(invoke.map(arn));
    expect(listed).not.toContain(arn(VERIFIER_ROLE_NAME));
  });

  test('the profile entry lists, per governed Region, the approved profiles callable from it', () => {
    const config = exampleConfig();
    const value = byName(WORKLOAD_CONTRACT.inferenceProfileIds)[1].Properties.Value['Fn::FindInMap'];
    expect(value[1]).toEqual({ Ref: 'AWS::Region' });
    const mapping = raw.Mappings[value[0]];
    expect(Object.keys(mapping).sort()).toEqual([...config.organization.governedRegions].sort());
    for (const region of config.organization.governedRegions) {
      const ids = mapping[region].ids.split(',');
      expect(ids).toEqual(inferenceProfileIds(config, region));
      expect(ids).toContain('eu.anthropic.claude-sonnet-4-5-20250929-v1:0');
    }
  });

  test('the guardrail entries split the organization guardrail\'s <ARN>:<version> read from the management account\'s shared parameter', () => {
    const management = estate.config.accounts.find((a) => a.name === estate.config.topology.management)!.id;
    expect(raw.Parameters![GUARDRAIL_TEMPLATE_PARAMETER]).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: `arn:aws:ssm:eu-central-1:${management}:parameter${GUARDRAIL_IDENTIFIER_PARAMETER_NAME}`,
    });
    // CloudFormation resolves the SSM-typed parameter to the shared parameter's value.
    const guardrail = `arn:aws:bedrock:${MEMBER.region}:${management}:guardrail/a1b2c3d4e5f6`;
    const resolved: RawTemplate = { ...raw, Parameters: { ...raw.Parameters, [GUARDRAIL_TEMPLATE_PARAMETER]: { Default: `${guardrail}:7` } } };
    expect(resolveIntrinsics(byName(WORKLOAD_CONTRACT.guardrailArn)[1].Properties.Value, resolved, MEMBER)).toBe(guardrail);
    expect(resolveIntrinsics(byName(WORKLOAD_CONTRACT.guardrailVersion)[1].Properties.Value, resolved, MEMBER)).toBe('7');
  });

  test('the StackSet passes each Region the management account\'s shared guardrail parameter of that Region', () => {
    const management = estate.config.accounts.find((a) => a.name === estate.config.topology.management)!.id;
    const stackSets = Object.values(estate.stackSets.template.findResources('AWS::CloudFormation::StackSet'));
    const groups = stackSets.find((s) => s.Properties.StackSetName === 'genai-governance-baseline-regional')!.Properties.StackInstancesGroup as
      { Regions: string[]; ParameterOverrides?: { ParameterKey: string; ParameterValue: string }[] }[];
    for (const region of estate.config.organization.governedRegions) {
      const group = groups.find((g) => g.Regions.includes(region))!;
      expect(group.Regions).toEqual([region]);
      expect(group.ParameterOverrides).toContainEqual({
        ParameterKey: GUARDRAIL_TEMPLATE_PARAMETER, ParameterValue: `arn:aws:ssm:${region}:${management}:parameter${GUARDRAIL_IDENTIFIER_PARAMETER_NAME}`,
      });
    }
  });

  test('the management account publishes each Region\'s guardrail identifier in an advanced parameter shared with the organization only', () => {
    for (const stack of estate.guardrails) {
      const template = stack.template;
      const [versionId] = Object.keys(template.findResources('AWS::Bedrock::GuardrailVersion'));
      const [guardrailId] = Object.keys(template.findResources('AWS::Bedrock::Guardrail'));
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: GUARDRAIL_IDENTIFIER_PARAMETER_NAME,
        Tier: 'Advanced',
        Value: { 'Fn::Join': [':', [{ 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] }, { 'Fn::GetAtt': [versionId, 'Version'] }]] },
      });
      const [share] = Object.values(template.findResources('AWS::RAM::ResourceShare'));
      const place = { account: stack.account, region: stack.region };
      expect(share.Properties.AllowExternalPrincipals).toBe(false);
      expect(resolveIntrinsics(share.Properties.Principals, template.toJSON() as RawTemplate, place))
        .toEqual([`arn:aws:organizations::${stack.account}:organization/${estate.config.organization.id}`]);
      expect(resolveIntrinsics(share.Properties.ResourceArns, template.toJSON() as RawTemplate, place))
        .toEqual([`arn:aws:ssm:${stack.region}:${stack.account}:parameter${GUARDRAIL_IDENTIFIER_PARAMETER_NAME}`]);
    }
    // The members read it at deploy: the StackSets come after the guardrail stacks.
    expect(estate.stackSets.dependencies).toEqual(expect.arrayContaining(estate.guardrails.map((g) => g.artifact.stackName)));
  });
});

describe('workload contract with enforcement: account', () => {
  const config = structuredClone(exampleConfig());
  config.bedrock.guardrail.enforcement = 'account';
  const variant = synthVariant((app) => STACK_RECIPES.baseline(app, config));
  const template = variant.synthesized(variant.built.regional).template.toJSON() as RawTemplate;

  test('the guardrail entries name the account\'s own guardrail and version, and no shared parameter is read', () => {
    const resources = Object.entries(template.Resources);
    const [guardrailId] = resources.find(([, r]) => r.Type === 'AWS::Bedrock::Guardrail')!;
    const [versionId] = resources.find(([, r]) => r.Type === 'AWS::Bedrock::GuardrailVersion')!;
    const value = (name: string) => resources.find(([, r]) => r.Type === 'AWS::SSM::Parameter' && r.Properties!.Name === name)![1].Properties!.Value;
    expect(value(WORKLOAD_CONTRACT.guardrailArn)).toEqual({ 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] });
    expect(value(WORKLOAD_CONTRACT.guardrailVersion)).toEqual({ 'Fn::GetAtt': [versionId, 'Version'] });
    expect(Object.keys(template.Parameters ?? {})).not.toContain(GUARDRAIL_TEMPLATE_PARAMETER);
  });
});
