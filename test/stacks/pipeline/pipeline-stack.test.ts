import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { CONNECTION_ARN } from './pipeline-config';
import { acknowledgedFindings, findingKey, listAcknowledgements } from '../../../building-blocks/gates/acknowledgement-audit';
import { compileOrganizationPolicies } from '../../../policies/compiler/compile';
import { organizationControls } from '../../../policies/organization-controls';
import type { PolicyDocument } from '../../../policies/policy-document';
import { deployWaves, plannedStacks } from '../../../stacks/deploy-plan';
import { PIPELINE_STACK_ID } from '../../../stacks/pipeline/build-pipeline';
import { pipelineStacks, waveStageId } from '../../../stacks/pipeline/estate-stages';
import { PIPELINE_BOOTSTRAP_IDS } from '../../../stacks/pipeline/pipeline-bootstrap';
import { POLICY_APPROVAL_STEPS, SNAPSHOT_READ_ACTIONS } from '../../../stacks/pipeline/policy-approval';
import { VERIFICATION_STAGE } from '../../../stacks/pipeline/post-deploy-verification';
import { executionServices } from '../../../stacksets/bootstrap/execution-services';
import { CDK_BOOTSTRAP_VERSION } from '../../../stacksets/bootstrap/pipeline-bootstrap-stack';
import { exampleEstate } from '../../support/example-estate';
import { EXAMPLE_PIPELINE_CONFIG, examplePipelineAssembly, examplePipelineStack, examplePipelineWaves } from '../../support/example-pipeline';
import { lintPolicy } from '../../support/iam-lint';
import { resourceIdentities } from '../../support/resource-identities';

interface Action { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration?: Record<string, any> }
interface PipelineStage { Name: string; Actions: Action[] }

// The pipeline variant of the example organization (pipeline in the network account, a CodeConnections source),
// synthesized with every gate on once for every suite that asserts on it (test/support/example-pipeline.ts).
const config = EXAMPLE_PIPELINE_CONFIG;
const assembly = examplePipelineAssembly();
const pipelineArtifact = examplePipelineStack();
const template = Template.fromJSON(pipelineArtifact.template);
const pipelineResource = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0];
const pipelineStages = pipelineResource.Properties.Stages as PipelineStage[];
const stageNamed = (name: string) => pipelineStages.find((s) => s.Name === name)!;

/** The stacks of every wave Stage of the assembly, by Stage. */
const stageStacks = (_: unknown) => examplePipelineWaves();


describe('the platform team\'s pipeline', () => {
  test('CodePipeline V2 named by the config, one execution per stage, restarted on self-mutation', () => {
    expect(pipelineResource.Properties).toMatchObject({ PipelineType: 'V2', ExecutionMode: 'SUPERSEDED', Name: 'genai-governance', RestartExecutionOnUpdate: true });
    expect(pipelineArtifact.environment).toMatchObject({ account: '639415720488', region: 'eu-central-1' });
  });

  test('cross-account artifact keys with rotation, in the home Region and the support stack of the other governed Region', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const support = assembly.stacks.find((s) => s.stackName === `${PIPELINE_STACK_ID}-support-eu-west-1`)!;
    expect(support.environment).toMatchObject({ account: '639415720488', region: 'eu-west-1' });
    Template.fromJSON(support.template).hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // The artifact bucket encrypts with the key (other accounts' deploy roles decrypt with it: cross-account keys).
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('the source is the CodeConnections connection\'s repository branch', () => {
    expect(pipelineStages[0]).toEqual({
      Name: 'Source',
      Actions: [expect.objectContaining({
        ActionTypeId: expect.objectContaining({ Category: 'Source', Provider: 'CodeStarSourceConnection' }),
        Configuration: expect.objectContaining({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'example-org/genai-governance', BranchName: 'main' }),
      })],
    });
  });

  test('synth runs the project\'s build and conformance on the config\'s file, then self-mutation', () => {
    expect(pipelineStages.slice(0, 4).map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets']);
    const buildSpecs = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p) => p.Properties.Source.BuildSpec)
      .filter((b): b is string => typeof b === 'string').map((b) => JSON.parse(b));
    const synth = buildSpecs.find((b) => JSON.stringify(b).includes('npx projen build'));
    expect(synth.phases.build.commands).toEqual(['npm ci', 'npx projen build', 'CONFORMANCE_REUSE_CDK_OUT=1 npx projen conformance']);
    expect(synth.artifacts['base-directory']).toBe('cdk.out');
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([{ Name: 'GOVERNANCE_CONFIG', Type: 'PLAINTEXT', Value: 'config/org.yaml' }]) }),
    });
  });

  test('the stages after the assets are the deploy plan\'s waves, each stack in its account and Region, by change set', () => {
    const waves = deployWaves(pipelineStacks(config));
    // The waves, then the verification of what they deployed (ADR 34).
    expect(pipelineStages.slice(4).map((s) => s.Name)).toEqual([...waves.map((_, i) => waveStageId(i)), VERIFICATION_STAGE]);
    const byStage = stageStacks(assembly);
    waves.forEach((wave, i) => {
      const actions = stageNamed(waveStageId(i)).Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
      expect(new Set(actions.map((a) => a.Configuration!.StackName))).toEqual(new Set(wave.map((s) => s.id)));
      expect(new Set(actions.map((a) => a.Configuration!.ActionMode))).toEqual(new Set(['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE']));
      expect(byStage.get(waveStageId(i))!.map((s) => [s.stackName, s.environment.account, s.environment.region]).sort())
        .toEqual(wave.map((s) => [s.id, s.accountId, s.region]).sort());
    });
    expect([...byStage.keys()]).toEqual(waves.map((_, i) => waveStageId(i)));
  });

  test('every stage confirms IAM and security-group broadening before its stacks deploy', () => {
    for (const stage of pipelineStages.slice(4).filter((s) => s.Name !== VERIFICATION_STAGE)) {
      const check = stage.Actions.find((a) => a.Name === 'ConfirmBroadening.Check')!;
      const confirm = stage.Actions.find((a) => a.Name === 'ConfirmBroadening.Confirm')!;
      const firstDeploy = Math.min(...stage.Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation').map((a) => a.RunOrder));
      expect(confirm.ActionTypeId.Category).toBe('Approval');
      expect(check.RunOrder).toBeLessThan(confirm.RunOrder);
      expect(confirm.RunOrder).toBeLessThan(firstDeploy);
    }
  });

  test('the policy preview and its approval come before the management stack\'s stage deploys, and only there', () => {
    const withApproval = pipelineStages.filter((s) => s.Actions.some((a) => a.Name === POLICY_APPROVAL_STEPS.approval));
    const managementStage = [...examplePipelineWaves()].find(([, stacks]) => stacks.some((s) => s.stackName === 'GovernanceManagement'))![0];
    expect(withApproval.map((s) => s.Name)).toEqual([managementStage]);
    const actions = withApproval[0].Actions;
    const at = (name: string) => actions.find((a) => a.Name === name)!;
    const managementPrepare = at('GovernanceManagement.Prepare');
    expect(at(POLICY_APPROVAL_STEPS.preview).RunOrder).toBeLessThan(at(POLICY_APPROVAL_STEPS.approval).RunOrder);
    expect(at(POLICY_APPROVAL_STEPS.autoApprove).RunOrder).toBe(at(POLICY_APPROVAL_STEPS.approval).RunOrder);
    expect(at(POLICY_APPROVAL_STEPS.approval).RunOrder).toBeLessThan(managementPrepare.RunOrder);
    expect(at(POLICY_APPROVAL_STEPS.approval).ActionTypeId).toMatchObject({ Category: 'Approval', Provider: 'Manual' });
    // The review link is the preview's page in the artifact bucket.
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket'))[0];
    expect(at(POLICY_APPROVAL_STEPS.approval).Configuration!.ExternalEntityLink).toEqual({
      'Fn::Join': ['', ['https://eu-central-1.console.aws.amazon.com/s3/object/', { Ref: bucketId }, '?region=eu-central-1&prefix=policy-preview/preview.md']],
    });
  });

  test('the preview step runs the snapshot and preview commands and reads Organizations with read actions only', () => {
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p) => JSON.stringify(p.Properties.Source.BuildSpec ?? ''));
    const preview = specs.find((b) => b.includes('policy:snapshot'))!;
    expect(preview).toContain('npx projen policy:snapshot -- --out deployed.json');
    expect(preview).toContain('npx projen policy:preview -- --deployed deployed.json --format json --out preview');
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: string | string[] }[]);
    const organizations = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('organizations:')));
    expect(organizations).toEqual([expect.objectContaining({ Sid: 'ReadOrganizationsPolicies', Action: SNAPSHOT_READ_ACTIONS, Effect: 'Allow', Resource: '*' })]);
    expect(SNAPSHOT_READ_ACTIONS.every((a) => /^organizations:(Describe|List)/.test(a))).toBe(true);
  });

  test('the step that approves an unchanged preview may approve that one approval action and nothing else', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const approvals = statements.filter((s) => [s.Action].flat().includes('codepipeline:PutApprovalResult'));
    // Ours on the one action; aws-cdk-lib's broadening check's function, held by the pipeline's SECURITY_CHECK tag.
    expect(approvals).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: 'codepipeline:PutApprovalResult',
      Resource: `arn:aws:codepipeline:eu-central-1:639415720488:genai-governance/Wave1/${POLICY_APPROVAL_STEPS.approval}`,
    })]));
    expect(approvals.filter((s) => s.Resource === '*')).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'aws:ResourceTag/SECURITY_CHECK': 'ALLOW_APPROVE' } } })]);
  });

  test('the build steps\' commands are valid sh (CodeBuild runs each in one shell)', () => {
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p) => p.Properties.Source.BuildSpec)
      .filter((b): b is string => typeof b === 'string').map((b) => JSON.parse(b));
    const ours = specs.filter((b) => /policy:snapshot|put-approval-result|npx projen build/.test(JSON.stringify(b)));
    expect(ours).toHaveLength(3);
    for (const spec of ours) {
      const script = (spec.phases.build.commands as string[]).join('\n');
      expect(spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
    }
  });

  test('every acknowledgement on the pipeline\'s resources stands for a finding the gates raised on that resource', () => {
    const suppressed = acknowledgedFindings(assembly);
    const recorded = listAcknowledgements(assembly)
      .filter((a) => a.path.startsWith(`${PIPELINE_STACK_ID}/`) || a.path.startsWith('cross-region-stack-'))
      .map((a) => findingKey(a.path, a.ruleId));
    expect(recorded.length).toBeGreaterThan(100);
    expect(recorded.filter((r) => !suppressed.has(r))).toEqual([]);
  });

  test('every action and condition key of the pipeline\'s policies exists in AWS\'s IAM data', async () => {
    const documents = Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, p]) => [id, p.Properties.PolicyDocument] as const);
    expect(documents.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const [id, document] of documents) {
      const statements = document.Statement.map((st: Record<string, unknown>, i: number) => ({ ...st, Resource: '*', Sid: `${id}#${st.Sid ?? i}` }));
      problems.push(...await lintPolicy({ ...document, Statement: statements } as PolicyDocument));
    }
    expect(problems).toEqual([]);
  });

  test('every stack, the pipeline\'s own included, deploys with the pipeline\'s bootstrap (its qualifier), never the default one', () => {
    const staged = [...stageStacks(assembly).values()].flat();
    const all = [...staged, pipelineArtifact, assembly.getStackArtifact(PIPELINE_BOOTSTRAP_IDS.stack)];
    for (const s of all) {
      const { account, region } = s.environment;
      expect([s.stackName, s.cloudFormationExecutionRoleArn]).toEqual([s.stackName, `arn:\${AWS::Partition}:iam::${account}:role/cdk-genaigov-cfn-exec-role-${account}-${region}`]);
      expect([s.stackName, s.assumeRoleArn]).toEqual([s.stackName, `arn:\${AWS::Partition}:iam::${account}:role/cdk-genaigov-deploy-role-${account}-${region}`]);
      expect([s.stackName, s.bootstrapStackVersionSsmParameter]).toEqual([s.stackName, '/cdk-bootstrap/genaigov/version']);
    }
    expect(all.length).toBe(staged.length + 2);
  });

  test('inside the stages every stack keeps its name, every logical id and what it stands for (ADR 3)', () => {
    const example = exampleEstate();
    const deployed = example.assembly.stacks;
    const staged = [...stageStacks(assembly).values()].flat();
    // The edge stack (us-east-1) is in no stage: the CLI deploys it from the app with the account's default bootstrap.
    const edge = plannedStacks(config).filter((s) => s.entry.regions === 'edge').map((s) => s.id);
    expect(edge).toEqual(['SupportChatEdge']);
    expect(staged.map((s) => s.stackName).sort()).toEqual(deployed.map((s) => s.stackName).filter((n) => !edge.includes(n)).sort());
    for (const id of edge) expect(JSON.stringify(assembly.getStackArtifact(id).assumeRoleArn)).toContain('cdk-hnb659fds-deploy-role-');
    // The Organizations policies are the config's own: a pipeline adds its execution roles to the exempt principals, so
    // the compiler may pack the root's statements into more policies than the example's (checked against the compiler).
    // A Lambda version's logical id is a hash of its function (a new version whenever it changes), and the tenant's
    // golden-set evaluation role exists only with a pipeline (ADR 34).
    const pipelineOnly = (v: string) => v.startsWith('AWS::Lambda::Version ') || v.includes('"support-chat-release-evaluation-');
    const withoutPolicies = (t: unknown) => Object.fromEntries(Object.entries(resourceIdentities(t as never))
      .filter(([, v]) => !String(v).startsWith('AWS::Organizations::Policy ') && !pipelineOnly(String(v))));
    for (const stack of staged) {
      const before = deployed.find((s) => s.stackName === stack.stackName)!;
      expect([stack.stackName, withoutPolicies(stack.template)]).toEqual([before.stackName, withoutPolicies(before.template)]);
    }
    const management = staged.find((s) => s.stackName === 'GovernanceManagement')!;
    const policyNames = Object.values(management.template.Resources as Record<string, { Type: string; Properties: { Name: string } }>)
      .filter((r) => r.Type === 'AWS::Organizations::Policy').map((r) => r.Properties.Name).sort();
    expect(policyNames).toEqual(compileOrganizationPolicies(config, organizationControls(config)).policies.map((p) => p.name).sort());
  });
});

describe('the bootstrap StackSet of the pipeline\'s accounts and Regions', () => {
  const stackSetTemplate = Template.fromJSON(assembly.getStackArtifact(PIPELINE_BOOTSTRAP_IDS.stack).template);
  const stackSet = Object.values(stackSetTemplate.findResources('AWS::CloudFormation::StackSet'))[0].Properties;
  const member = JSON.parse(stackSet.TemplateBody as string) as { Resources: Record<string, { Type: string; Properties: any }> };
  const resources = Object.values(member.Resources);
  const roles = resources.filter((r) => r.Type === 'AWS::IAM::Role');
  const roleNamed = (kind: string) => roles.find((r) => JSON.stringify(r.Properties.RoleName).includes(`cdk-genaigov-${kind}-role-`))!;
  const policiesOf = (role: { Properties: any }) => [
    ...(role.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument),
    ...resources.filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: Object.entries(member.Resources).find(([, v]) => v === role)![0] }]))
      .map((r) => r.Properties.PolicyDocument),
  ] as { Statement: { Effect: string; Action: string | string[] }[] }[];

  test('service-managed, in the StackSets administrator account, bootstrapping exactly the accounts the pipeline deploys to (never the management account) in their Regions', () => {
    expect(assembly.getStackArtifact(PIPELINE_BOOTSTRAP_IDS.stack).environment).toMatchObject({ account: '318274650913', region: 'eu-central-1' });
    expect(stackSet).toMatchObject({ PermissionModel: 'SERVICE_MANAGED', CallAs: 'SELF', StackSetName: 'genai-governance-pipeline-bootstrap', AutoDeployment: { Enabled: false } });
    const deployed = [...stageStacks(assembly).values()].flat();
    const expected = [...new Set([...deployed.map((s) => s.environment.account), '639415720488'])].filter((a) => a !== '318274650913').sort();
    expect(stackSet.StackInstancesGroup).toHaveLength(1);
    const [group] = stackSet.StackInstancesGroup;
    expect(group.DeploymentTargets).toMatchObject({ OrganizationalUnitIds: [config.organization.rootId], AccountFilterType: 'INTERSECTION' });
    expect([...group.DeploymentTargets.Accounts].sort()).toEqual(expected);
    expect([...group.Regions].sort()).toEqual([...new Set(deployed.map((s) => s.environment.region))].sort());
    expect(stackSet.StackInstancesGroup[0].DeploymentTargets.Accounts).toHaveLength(expected.length);
    expect(expected).toEqual(expect.arrayContaining(['402761958314', '527038146692', '741852096357', '639415720488']));
  });

  test('the deploy, file-publishing and lookup roles trust the deployment account only, without an external id; the execution role trusts CloudFormation only', () => {
    for (const kind of ['deploy', 'file-publishing', 'lookup']) {
      type Trust = { Principal: { AWS: unknown }; Action: string; Condition?: unknown };
      const statements = roleNamed(kind).Properties.AssumeRolePolicyDocument.Statement as Trust[];
      expect([kind, statements.map((st) => [st.Action, st.Condition])]).toEqual([kind, [['sts:AssumeRole', { Null: { 'sts:ExternalId': 'true' } }], ['sts:TagSession', undefined]]]);
      for (const st of statements) expect([kind, JSON.stringify(st.Principal.AWS)]).toEqual([kind, expect.stringMatching(/:iam::639415720488:root"/)]);
      expect(JSON.stringify(statements)).not.toContain('AWS::AccountId');
    }
    expect(roleNamed('cfn-exec').Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
    ]);
    expect(roles).toHaveLength(4);
  });

  test('the execution policy is the services the deployed resource types\' handlers call: no *:*, no AdministratorAccess, no managed policy', () => {
    const exec = roleNamed('cfn-exec');
    expect(exec.Properties.ManagedPolicyArns).toBeUndefined();
    const actions = policiesOf(exec).flatMap((d) => d.Statement.flatMap((st) => [st.Action].flat()));
    expect(actions).not.toContain('*');
    expect(actions.every((a) => /^[a-z0-9-]+:\*$/.test(a))).toBe(true);
    // Exactly the services of the resource types of every stack the pipeline deploys with its execution roles: the
    // waves', the pipeline's, its support stacks' and this StackSet's (not the member templates StackSets roll out).
    const deployedTypes = new Set([...stageStacks(assembly).values()].flat().concat(assembly.stacks)
      .flatMap((s) => Object.values(s.template.Resources as Record<string, { Type: string }>).map((r) => r.Type)));
    const { services, unknown } = executionServices(deployedTypes);
    expect(unknown).toEqual([]);
    expect([...actions].sort()).toEqual(services.map((s) => `${s}:*`).sort());
    expect(services).toEqual(expect.arrayContaining(['cloudformation', 'iam', 'kms', 'lambda', 's3', 'organizations', 'codepipeline', 'codebuild']));
    expect(JSON.stringify(member)).not.toContain('AdministratorAccess');
  });

  test('the qualifier names the bucket, the key alias, the roles and the version parameter the CLI reads', () => {
    const bucket = resources.find((r) => r.Type === 'AWS::S3::Bucket')!.Properties;
    expect(JSON.stringify(bucket.BucketName)).toContain('cdk-genaigov-assets-');
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(resources.find((r) => r.Type === 'AWS::KMS::Alias')!.Properties.AliasName).toBe('alias/cdk-genaigov-assets-key');
    expect(resources.find((r) => r.Type === 'AWS::SSM::Parameter')!.Properties).toMatchObject({ Name: '/cdk-bootstrap/genaigov/version', Value: '33' });
    expect(resources.filter((r) => r.Type === 'AWS::ECR::Repository')).toEqual([]);
    const bucketPolicy = JSON.stringify(resources.find((r) => r.Type === 'AWS::S3::BucketPolicy')!.Properties);
    expect(bucketPolicy).toContain('aws:SecureTransport');
  });

  test('no stack the pipeline deploys has a container image asset (the bootstrap has no image repository)', () => {
    const manifests = [...stageStacks(assembly).values()].flat().concat([pipelineArtifact])
      .flatMap((s) => s.dependencies).filter((d): d is AssetManifestArtifact => d instanceof AssetManifestArtifact);
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) expect([m.file, Object.keys(JSON.parse(readFileSync(m.file, 'utf8')).dockerImages ?? {})]).toEqual([m.file, []]);
  });

  test('the bootstrap version is the installed CDK CLI\'s bootstrap template version', () => {
    const cli = readFileSync(require.resolve('aws-cdk/lib/api/bootstrap/bootstrap-template.yaml'), 'utf8');
    expect(cli).toMatch(new RegExp(`CdkBootstrapVersion:[\\s\\S]*?Value: '${CDK_BOOTSTRAP_VERSION}'`));
  });
});
