import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, cx_api as cxapi } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { STACK_RECIPES, STACK_SET_NAMES } from '../../stacks/estate';
import { ServiceManagedStackSet, TEMPLATE_BODY_MAX_BYTES, TEMPLATE_URL_MAX_BYTES } from '../../stacksets/rollout/service-managed-stack-set';
import { synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

describe('baseline rollout: service-managed StackSets', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const template = estate.stackSets.template;
  const stackSet = () => Object.values(template.toJSON().Resources as Record<string, any>).find((r) => r.Type === 'AWS::CloudFormation::StackSet')!.Properties;

  test('auto-deploys to the workload OUs in the home Region, as the management account', () => {
    expect(stackSet()).toMatchObject({
      StackSetName: STACK_SET_NAMES.global,
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      ManagedExecution: { Active: true },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-4f2k-p4s8j2la', 'ou-4f2k-n6b3e7uf', 'ou-4f2k-s1c5g9wd'] }, Regions: ['eu-central-1'] }],
    });
    expect(estate.stackSets.account).toBe('318274650913');
  });

  test('uses the configured operation preferences', () => {
    expect(stackSet().OperationPreferences).toEqual({ RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10 });
  });

  test('carries the member template as synthesized in the GovernanceBaseline stage', () => {
    expect(JSON.parse(stackSet().TemplateBody)).toEqual(estate.baseline.global.template.toJSON());
  });

  test('lives in the delegated administrator with CallAs DELEGATED_ADMIN, targets and preferences from config', () => {
    const delegated = structuredClone(config);
    delegated.baseline = {
      ...config.baseline,
      delegatedAdministrator: 'network',
      targetOrganizationalUnits: ['Workloads', 'Sandbox'],
      retainStacksOnAccountRemoval: true,
      operationPreferences: { regionConcurrency: 'SEQUENTIAL', maxConcurrentPercentage: 50, failureTolerancePercentage: 0 },
    };
    const { built: stack, synthesized } = synthVariant((app) => STACK_RECIPES.stackSets(app, delegated, STACK_RECIPES.baseline(app, delegated)));
    const props = Object.values(synthesized(stack).template.toJSON().Resources as Record<string, any>).find((r) => r.Type === 'AWS::CloudFormation::StackSet')!.Properties;
    expect(stack.account).toBe('639415720488');
    expect(props).toMatchObject({
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      OperationPreferences: { RegionConcurrencyType: 'SEQUENTIAL', MaxConcurrentPercentage: 50, FailureTolerancePercentage: 0 },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-4f2k-k9v1r6ny', 'ou-4f2k-s1c5g9wd'] } }],
    });
  });

  function templateFileOf(bytes: number): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'member-')), 'member.template.json');
    const filler = 'x'.repeat(bytes);
    writeFileSync(file, JSON.stringify({ Resources: { P: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: filler } } } }));
    return file;
  }

  function stackSetOf(templateFile: string) {
    const stack = new Stack(new App(), 'S', { env: { account: '318274650913', region: 'eu-central-1' } });
    const member = new ServiceManagedStackSet(stack, 'Member', {
      stackSetName: 'member',
      description: 'a member template',
      templateFile,
      organizationalUnitIds: ['ou-4f2k-p4s8j2la'],
      regions: ['eu-central-1'],
      callAs: 'SELF',
      retainStacksOnAccountRemoval: false,
      operationPreferences: { regionConcurrency: 'PARALLEL', maxConcurrentPercentage: 25, failureTolerancePercentage: 10 },
    });
    return { stack, member, props: Template.fromStack(stack).findResources('AWS::CloudFormation::StackSet') };
  }

  test(`a template up to ${TEMPLATE_BODY_MAX_BYTES} bytes goes inline as TemplateBody`, () => {
    const { member, props } = stackSetOf(templateFileOf(TEMPLATE_BODY_MAX_BYTES - 200));
    expect(member.delivery).toBe('TemplateBody');
    const [resource] = Object.values(props) as any[];
    expect(resource.Properties.TemplateBody).toContain('AWS::SSM::Parameter');
    expect(resource.Properties.TemplateURL).toBeUndefined();
  });

  test('a larger template is published as a file asset of the administrator stack and passed by TemplateURL', () => {
    const { stack, member, props } = stackSetOf(templateFileOf(TEMPLATE_BODY_MAX_BYTES + 10));
    expect(member.delivery).toBe('TemplateURL');
    expect(member.templateBytes).toBeGreaterThan(TEMPLATE_BODY_MAX_BYTES);
    const [resource] = Object.values(props) as any[];
    expect(resource.Properties.TemplateBody).toBeUndefined();
    // https://s3.<region>.<suffix>/cdk-hnb659fds-assets-<account>-<region>/<hash>.json: the admin account's asset bucket
    expect(JSON.stringify(resource.Properties.TemplateURL)).toMatch(/cdk-hnb659fds-assets-318274650913-eu-central-1\/[0-9a-f]{64}\.json/);
    const assets = App.of(stack)!.synth().getStackArtifact(stack.artifactId).dependencies
      .filter((d) => d instanceof cxapi.AssetManifestArtifact) as cxapi.AssetManifestArtifact[];
    const files = assets.flatMap((a) => Object.values(a.contents.files ?? {}));
    expect(files.map((f) => f.source.packaging)).toContain('file');
  });

  test(`refuses a member template over the ${TEMPLATE_URL_MAX_BYTES}-byte TemplateURL quota`, () => {
    expect(() => stackSetOf(templateFileOf(TEMPLATE_URL_MAX_BYTES))).toThrow(/the member template is \d+ bytes; TemplateURL accepts at most 1048576/);
  });
});
