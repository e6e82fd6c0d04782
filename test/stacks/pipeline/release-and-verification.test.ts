import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { accountIdOf } from '../../../config/accounts';
import { trailArchiveBucketName } from '../../../contracts/archive-names';
import { OrgEvaluator } from '../../../operations/policy-preview/org-evaluator';
import { EXPECTED_FACTS_KEY, VERIFIER_ROLE_NAME } from '../../../policies/verifier-access';
import { GOLDEN_SET_STEP_SCRIPT, goldenSetStepId } from '../../../stacks/pipeline/golden-set-step';
import { VERIFY_STEP_ROLE_NAME } from '../../../stacks/pipeline/pipeline-role-names';
import { VERIFICATION_STAGE, VERIFY_STEP } from '../../../stacks/pipeline/post-deploy-verification';
import { GOLDEN_SET_STEP_ROLE_NAME, RELEASE_EVALUATION_OUTPUTS } from '../../../workloads/support-chat/chat/constructs/chat-release-evaluation';
import { EXAMPLE_PIPELINE_CONFIG as config, examplePipelineStack, examplePipelineWaves } from '../../support/example-pipeline';
import { resolveIntrinsics, type Template } from '../../support/resolve-intrinsics';
import { PROJECT_ROOT } from '../../support/run-app';

interface Action {
  Name: string;
  RunOrder: number;
  ActionTypeId: { Provider: string };
  Configuration?: Record<string, any>;
  InputArtifacts?: { Name: string }[];
}
interface Resource { Type: string; Properties: Record<string, any> }

/**
 * The pipeline's last pieces (docs/adr/0034-tenant-release-by-golden-set-and-canary.md) on the shared example pipeline
 * assembly: the golden-set step before the stage that deploys the tenant, the Verify stage after the last wave, their
 * roles, and the trust that lets each step assume exactly the roles it needs, evaluated with iam-simulate.
 */
describe('the pipeline: golden set before the tenant\'s stage, verification after the last wave', () => {
  const pipelineStack = examplePipelineStack();
  const resources = pipelineStack.template.Resources as Record<string, Resource>;
  const pipeline = Object.values(resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!;
  const stages = pipeline.Properties.Stages as { Name: string; Actions: Action[] }[];
  const waves = examplePipelineWaves();
  const waveStacks = [...waves.values()].flat();
  const tenantStack = waveStacks.find((s) => s.stackName === 'SupportChat-eu-central-1')!;
  const auditStack = waveStacks.find((s) => s.stackName === 'GovernanceAuditAlerts')!;
  const pipelineAccount = accountIdOf(config, config.pipeline.account!);
  const tenantAccount = tenantStack.environment.account;
  const audit = accountIdOf(config, config.topology.audit);

  const projectOf = (action: Action) => resources[action.Configuration!.ProjectName.Ref];
  const buildSpec = (action: Action) => JSON.parse(projectOf(action).Properties.Source.BuildSpec) as { phases: { build: { commands: string[] } } };
  const environment = (action: Action) => {
    const variables = projectOf(action).Properties.Environment.EnvironmentVariables as { Name: string; Value: unknown }[];
    return Object.fromEntries(variables.map((v) => [v.Name, v.Value]));
  };
  const roleOf = (action: Action) => resources[projectOf(action).Properties.ServiceRole['Fn::GetAtt'][0]];
  /** The role's statements that can assume a role (its default policy, aws-cdk-lib's grants aside). */
  const assumeStatements = (roleName: string) => {
    const [roleId] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName)!;
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === roleId));
    return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('sts:') || a.startsWith('iam:') || a === '*'));
  };
  const identity = (roleName: string) => ({ Version: '2012-10-17', Statement: assumeStatements(roleName) });
  const trustOf = (stack: CloudFormationStackArtifact, roleName: string) => {
    const template = stack.template as Template;
    const role = Object.values(template.Resources as Record<string, Resource>)
      .find((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName)!;
    const place = { account: stack.environment.account, region: stack.environment.region };
    return resolveIntrinsics(role.Properties.AssumeRolePolicyDocument, template, place);
  };
  const policies = waveStacks.flatMap((s) => Object.values(s.template.Resources as Record<string, Resource>)
    .filter((r) => r.Type === 'AWS::Organizations::Policy')
    .map((r) => ({ name: r.Properties.Name, type: r.Properties.Type, targetIds: r.Properties.TargetIds, content: r.Properties.Content })));
  const evaluator = new OrgEvaluator(config, policies);

  test('the stages end with the last wave, then Verify, whose one step runs after it', () => {
    const names = stages.map((s) => s.Name);
    const lastWave = [...waves.keys()].at(-1)!;
    expect(names.slice(-2)).toEqual([lastWave, VERIFICATION_STAGE]);
    const verify = stages.at(-1)!.Actions;
    expect(verify.map((a) => [a.Name, a.ActionTypeId.Provider])).toEqual([[VERIFY_STEP, 'CodeBuild']]);
    // The source and the assembly the estate was deployed from.
    expect(verify[0].InputArtifacts).toHaveLength(2);
  });

  test('Verify publishes the expected facts, then verifies as the audit account\'s operator; the verifier\'s status ends the step', () => {
    const [action] = stages.at(-1)!.Actions;
    const env = environment(action);
    expect(env).toMatchObject({
      OPERATOR_ROLE_ARN: `arn:aws:iam::${audit}:role/genai-governance-verify-operator`,
      ARCHIVE_BUCKET: trailArchiveBucketName(config),
      FACTS_KEY: EXPECTED_FACTS_KEY,
      GOVERNANCE_CONFIG: 'config/org.yaml',
    });
    const [install, run] = buildSpec(action).phases.build.commands;
    expect(install).toBe('npm ci');
    const lines = run.split('\n');
    const at = (pattern: RegExp) => {
      const index = lines.findIndex((l) => pattern.test(l));
      expect(index).toBeGreaterThanOrEqual(0);
      return index;
    };
    const order = [
      at(/aws sts assume-role --role-arn "\$OPERATOR_ROLE_ARN".*\|\| \{ .*exit 2; \}$/),
      at(/operations\/verify\/verify-facts-cli\.ts --out verify-out\/expected-facts\.json \|\| exit 2$/),
      at(/aws s3api put-object --bucket "\$ARCHIVE_BUCKET" --key "\$FACTS_KEY" .* \|\| exit 2$/),
      at(/^ {2}npx projen verify -- --format all --out verify-out$/),
      at(/aws s3 cp --recursive verify-out/),
      at(/^exit "\$status"$/),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(lines.at(-1)).toBe('exit "$status"');
    expect(roleOf(action).Properties.RoleName).toBe(VERIFY_STEP_ROLE_NAME);
  });

  test('the verification role may assume the audit account\'s operator role and no other role', () => {
    expect(assumeStatements(VERIFY_STEP_ROLE_NAME)).toEqual([
      { Sid: 'AssumeTheVerifyOperator', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${audit}:role/genai-governance-verify-operator` },
    ]);
  });

  test('the golden set runs before the tenant\'s stack deploys, in the stage that deploys it', () => {
    const stage = stages.find((s) => s.Actions.some((a) => a.Name === 'SupportChat-eu-central-1.Prepare'))!;
    const golden = stage.Actions.find((a) => a.Name === goldenSetStepId('SupportChat-eu-central-1'))!;
    const prepare = stage.Actions.find((a) => a.Name === 'SupportChat-eu-central-1.Prepare')!;
    expect(golden.RunOrder).toBeLessThan(prepare.RunOrder);
    expect(stages.filter((s) => s.Actions.some((a) => a.Name.startsWith('GoldenSet-')))).toEqual([stage]);
    const env = environment(golden);
    expect(env).toMatchObject({
      TENANT_STACK: 'SupportChat-eu-central-1',
      TENANT_REGION: 'eu-central-1',
      LOOKUP_ROLE_ARN: `arn:aws:iam::${tenantAccount}:role/cdk-genaigov-lookup-role-${tenantAccount}-eu-central-1`,
      EVALUATION_ROLE_ARN: `arn:aws:iam::${tenantAccount}:role/support-chat-release-evaluation-eu-central-1`,
    });
    expect(buildSpec(golden).phases.build.commands).toEqual(['npm ci', `bash ${GOLDEN_SET_STEP_SCRIPT}`]);
    const run = readFileSync(path.join(PROJECT_ROOT, GOLDEN_SET_STEP_SCRIPT), 'utf8');
    expect(run).toMatch(/with_creds "\$evaluation" npx projen bench:quality -- --region "\$TENANT_REGION" --knowledge-base-id [^]* --out golden-set \|\| exit 1\n/);
    for (const output of Object.values(RELEASE_EVALUATION_OUTPUTS)) expect(run).toContain(`$(output ${output})`);
    expect(run.trimEnd().split('\n').at(-1)).toBe('gate golden-set/quality-bedrock.json');
    expect(run).toContain('node_modules/.bin/ts-node --transpile-only -P tsconfig.json stacks/pipeline/golden-set-gate-cli.ts --report "$1"');
    // Only a stack that does not exist passes without an evaluation.
    expect(run).toMatch(/if grep -q "does not exist" describe\.err; then\n.*\n {4}exit 0\n {2}fi\n {2}cat describe\.err; exit 1\n/);
    expect(spawnSync('bash', ['-n', path.join(PROJECT_ROOT, GOLDEN_SET_STEP_SCRIPT)], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
    expect(assumeStatements(GOLDEN_SET_STEP_ROLE_NAME)).toEqual([{
      Sid: 'ReadAndEvaluateTheTenant', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [env.LOOKUP_ROLE_ARN, env.EVALUATION_ROLE_ARN],
    }]);
  });

  test('the tenant stack in the pipeline has the evaluation role and the outputs the step reads', () => {
    const outputs = Object.keys(tenantStack.template.Outputs ?? {});
    expect(outputs).toEqual(expect.arrayContaining(Object.values(RELEASE_EVALUATION_OUTPUTS)));
    const role = Object.values(tenantStack.template.Resources as Record<string, Resource>)
      .find((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'support-chat-release-evaluation-eu-central-1')!;
    expect(role.Properties.PermissionsBoundary).toBeDefined();
  });

  describe('who may assume what (iam-simulate, the synthesized trust and identity policies, the SCPs)', () => {
    const stepRole = (role: string, identityPolicy: unknown) => ({ account: config.pipeline.account!, role, identityPolicy });
    const evaluationRoleArn = `arn:aws:iam::${tenantAccount}:role/support-chat-release-evaluation-eu-central-1`;
    const operatorArn = `arn:aws:iam::${audit}:role/genai-governance-verify-operator`;
    const anything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const evaluationTrust = trustOf(tenantStack, 'support-chat-release-evaluation-eu-central-1');
    const operatorTrust = trustOf(auditStack, 'genai-governance-verify-operator');

    test('the golden-set step assumes the tenant\'s evaluation role; another role of the deployment account cannot', async () => {
      const request = { action: 'sts:AssumeRole', resource: evaluationRoleArn, resourceAccount: 'support-chat-prod', resourcePolicy: evaluationTrust };
      expect(await evaluator.evaluate({ ...stepRole(GOLDEN_SET_STEP_ROLE_NAME, identity(GOLDEN_SET_STEP_ROLE_NAME)), ...request })).toMatchObject({ result: 'Allowed' });
      expect((await evaluator.evaluate({ ...stepRole('platform-admin', anything), ...request })).result).not.toBe('Allowed');
      expect((await evaluator.evaluate({ ...stepRole(VERIFY_STEP_ROLE_NAME, identity(VERIFY_STEP_ROLE_NAME)), ...request })).result).not.toBe('Allowed');
    });

    test('the verification step assumes the audit account\'s operator role; another role of the deployment account cannot', async () => {
      const request = { action: 'sts:AssumeRole', resource: operatorArn, resourceAccount: config.topology.audit, resourcePolicy: operatorTrust };
      expect(await evaluator.evaluate({ ...stepRole(VERIFY_STEP_ROLE_NAME, identity(VERIFY_STEP_ROLE_NAME)), ...request })).toMatchObject({ result: 'Allowed' });
      expect((await evaluator.evaluate({ ...stepRole('platform-admin', anything), ...request })).result).not.toBe('Allowed');
      expect((await evaluator.evaluate({ ...stepRole(GOLDEN_SET_STEP_ROLE_NAME, identity(GOLDEN_SET_STEP_ROLE_NAME)), ...request })).result).not.toBe('Allowed');
    });

    test('the verification step cannot reach a verifier role itself: only through the operator', async () => {
      const verifier = `arn:aws:iam::${tenantAccount}:role/${VERIFIER_ROLE_NAME}`;
      const decision = await evaluator.evaluate({ ...stepRole(VERIFY_STEP_ROLE_NAME, identity(VERIFY_STEP_ROLE_NAME)), action: 'sts:AssumeRole', resource: verifier, resourceAccount: 'support-chat-prod' });
      expect(decision.result).not.toBe('Allowed');
      expect(pipelineAccount).not.toBe(audit);
    });
  });
});
