import { findCatalogModel, findGeographicProfile } from '../../catalog/models';
import { accountIdOf } from '../../config/accounts';
import { WORKLOAD_BOUNDARY_NAME } from '../../contracts/governance-names';
import { foundationModelArn } from '../../policies/arns';
import { minify } from '../../policies/policy-document';
import { MANAGED_POLICY_MAX_CHARACTERS, criInvokePolicies, criInvokeStatements, workloadPermissionBoundary } from '../../policies/workload-iam';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { lintPolicy } from '../support/iam-lint';
import { OrgSimulator, type OrgRequest } from '../support/org-simulator';

const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
/** Where the eu. profile of SONNET serves (the catalog's destination Regions). */
const EU_DESTINATIONS = findGeographicProfile(findCatalogModel(SONNET)!, 'eu')!.destinationRegions;

describe('BL-IAM-1: the CRI-only invoke policy and the workload permission boundary (generated for the baseline)', () => {
  const config = exampleConfig();
  const prod = accountIdOf(config, 'support-chat-prod');
  const management = accountIdOf(config, 'management');
  const invokePolicies = criInvokePolicies(config, prod, management);
  const invokePolicy = invokePolicies[0];
  const boundary = workloadPermissionBoundary(config, prod, management);
  const simulator = new OrgSimulator(exampleEstate().assembly, config);
  const euProfile = `arn:aws:bedrock:eu-central-1:${prod}:inference-profile/eu.${SONNET}`;
  /** An application profile the platform made over the eu. profile (ADR 35): its calls carry its own ARN. */
  const appProfile = `arn:aws:bedrock:eu-central-1:${prod}:application-inference-profile/a1b2c3d4e5f6`;
  const asWorkload = (request: Omit<OrgRequest, 'account'>) =>
    simulator.evaluate({ account: 'support-chat-prod', role: 'support-chat-app', identityPolicy: invokePolicy, permissionBoundary: boundary, ...request });
  /** A workload admin (allowed everything by its own policies) creates a role, with the boundary or without, under the synthesized SCPs. */
  const createRole = (role: string, boundaryArn?: string) => simulator.evaluate({
    account: 'support-chat-prod',
    action: 'iam:CreateRole',
    resource: `arn:aws:iam::${prod}:role/${role}`,
    context: { 'aws:RequestedRegion': 'us-east-1', ...(boundaryArn && { 'iam:PermissionsBoundary': boundaryArn }) },
  });

  describe('deny', () => {
    test('an in-Region embedding model by a workload role off the knowledge-base path (boundary and BR-CRI-1)', async () => {
      expect((await asWorkload({ action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-west-1', 'amazon.titan-embed-text-v2:0') })).result).not.toBe('Allowed');
    });
    test('a direct foundation-model call', async () => {
      expect((await asWorkload({ action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-central-1', SONNET) })).result).not.toBe('Allowed');
    });
    test('a profile of an unapproved model', async () => {
      const request = { action: 'bedrock:InvokeModel', resource: `arn:aws:bedrock:eu-central-1:${prod}:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0` };
      expect((await asWorkload(request)).result).toBe('ImplicitlyDenied');
    });
    test('calling the profile from a Region that is not governed', async () => {
      expect((await asWorkload({ action: 'bedrock:InvokeModel', resource: `arn:aws:bedrock:eu-west-3:${prod}:inference-profile/eu.${SONNET}` })).result).not.toBe('Allowed');
    });
    test('creating an IAM role, even with an identity policy that allows it (boundary)', async () => {
      const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      expect((await asWorkload({ identityPolicy: allowAll, action: 'iam:CreateRole', resource: `arn:aws:iam::${prod}:role/x`, context: { 'aws:RequestedRegion': 'us-east-1', 'iam:PermissionsBoundary': `arn:aws:iam::${prod}:policy/${WORKLOAD_BOUNDARY_NAME}` } })).result).toBe('ImplicitlyDenied');
    });
    test('a workload admin creating a role without the boundary (ORG-BOUNDARY-1 keeps roles under BL-IAM-1)', async () => {
      expect(await createRole('support-chat-worker')).toEqual({ result: 'ExplicitlyDenied', deniedBy: ['ORGBOUNDARY1DenyWithoutWorkloadBoundary'] });
    });
    test('the foundation model through an application profile of another account', async () => {
      const foreign = `arn:aws:bedrock:eu-central-1:${management}:application-inference-profile/a1b2c3d4e5f6`;
      const request = { action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-west-1', SONNET), context: { 'bedrock:InferenceProfileArn': foreign } };
      expect((await asWorkload(request)).result).toBe('ImplicitlyDenied');
    });
    test('the account\'s application profile called from a Region that is not governed', async () => {
      expect((await asWorkload({ action: 'bedrock:InvokeModel', resource: `arn:aws:bedrock:eu-west-3:${prod}:application-inference-profile/a1b2c3d4e5f6` })).result).not.toBe('Allowed');
    });
    test('creating an application inference profile, even with an identity policy that allows it (boundary)', async () => {
      const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      expect((await asWorkload({ identityPolicy: allowAll, role: 'governance-pipeline-deploy', action: 'bedrock:CreateInferenceProfile', resource: `arn:aws:bedrock:eu-central-1:${prod}:application-inference-profile/x` })).result).toBe('ImplicitlyDenied');
    });
  });

  describe('allow', () => {
    test('the approved eu. profile from a governed Region', async () => {
      expect((await asWorkload({ action: 'bedrock:InvokeModel', resource: euProfile })).result).toBe('Allowed');
    });
    test.each(EU_DESTINATIONS)('the foundation model in destination %s through the profile', async (region) => {
      expect((await asWorkload({ action: 'bedrock:InvokeModelWithResponseStream', resource: foundationModelArn(region, SONNET), context: { 'bedrock:InferenceProfileArn': euProfile } })).result).toBe('Allowed');
    });
    test('the account\'s application profile over eu. from a governed Region', async () => {
      expect((await asWorkload({ action: 'bedrock:InvokeModelWithResponseStream', resource: appProfile })).result).toBe('Allowed');
    });
    test.each(EU_DESTINATIONS)('the foundation model in destination %s through the account\'s application profile', async (region) => {
      expect((await asWorkload({ action: 'bedrock:InvokeModel', resource: foundationModelArn(region, SONNET), context: { 'bedrock:InferenceProfileArn': appProfile } })).result).toBe('Allowed');
    });
    test('a role a workload admin creates with the boundary (allowed by ORG-BOUNDARY-1) invokes through the approved profile', async () => {
      const role = 'support-chat-worker';
      expect(await createRole(role, `arn:aws:iam::${prod}:policy/${WORKLOAD_BOUNDARY_NAME}`)).toEqual({ result: 'Allowed', deniedBy: [] });
      expect((await asWorkload({ role, action: 'bedrock:InvokeModel', resource: euProfile })).result).toBe('Allowed');
      expect((await asWorkload({ role, action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-west-3', SONNET), context: { 'bedrock:InferenceProfileArn': euProfile } })).result).toBe('Allowed');
    });
    test('an in-Region exception (rerank) in a governed Region', async () => {
      expect((await asWorkload({ action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-west-1', 'cohere.rerank-v3-5:0') })).result).toBe('Allowed');
    });
    test('an in-Region embedding model in a governed Region by a knowledge-base service role (its path)', async () => {
      const role = 'bedrock-knowledge-base/support-chat-knowledge-eu-west-1';
      expect((await asWorkload({ role, action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-west-1', 'amazon.titan-embed-text-v2:0') })).result).toBe('Allowed');
    });
    test('applying the organization guardrail of the management account', async () => {
      expect((await asWorkload({
        action: 'bedrock:ApplyGuardrail',
        resource: `arn:aws:bedrock:eu-central-1:${management}:guardrail/abc123def456`,
        resourceAccount: management,
        resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organization.id } } }] },
      })).result).toBe('Allowed');
    });
  });

  test('the example needs one invoke policy', () => {
    expect(invokePolicies).toHaveLength(1);
  });

  test('every document uses real actions and keys and fits a managed policy', async () => {
    for (const document of [...invokePolicies, boundary]) {
      expect(await lintPolicy(document)).toEqual([]);
      expect(minify(document).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARACTERS);
    }
  });

  test('with global inference allowed, AWS\'s three global statements appear', () => {
    const globalConfig = structuredClone(config);
    globalConfig.bedrock.globalInference = 'allow';
    expect(criInvokeStatements(globalConfig, prod, management).map((s) => s.Sid)).toEqual(expect.arrayContaining([
      'GrantGlobalCrisInferenceProfileRegionAccess', 'GrantGlobalCrisInferenceProfileInRegionModelAccess', 'GrantGlobalCrisInferenceProfileGlobalModelAccess',
    ]));
  });

  describe('in the member template', () => {
    const member = exampleEstate().baseline.global.template;

    test('has the workload boundary and the CRI-only invoke policies, named for tamper protection', () => {
      member.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'genai-governance-workload-boundary' });
      member.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'genai-governance-cri-invoke-1' });
      expect(member.toJSON().Parameters).toBeUndefined(); // no bootstrap parameter: member accounts are not bootstrapped
    });

    test('scopes the inference profiles to the member account', () => {
      const policy = Object.values(member.toJSON().Resources as Record<string, any>).find((r) => r.Properties.ManagedPolicyName === 'genai-governance-cri-invoke-1')!;
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('{"Ref":"AWS::AccountId"}');
    });
  });
});
