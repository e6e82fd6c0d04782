import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, cx_api as cxapi } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { STACK_RECIPES, STACK_SET_NAMES } from '../../stacks/estate';
import { DATA_DELIVERY_PARAMETER } from '../../stacksets/baseline/invocation-logging';
import {
  ServiceManagedStackSet, TEMPLATE_BODY_BUDGET_BYTES, TEMPLATE_BODY_MAX_BYTES, TEMPLATE_URL_BUDGET_BYTES, TEMPLATE_URL_MAX_BYTES,
} from '../../stacksets/rollout/service-managed-stack-set';
import { synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { metadataOnlyEstate } from '../support/metadata-only-estate';

/**
 * The file a `TemplateURL` names, in the synthesized assembly: the stack's file asset (packaging `file`) whose
 * destination key is the URL's object key.
 */
function templateUrlAsset(artifact: cxapi.CloudFormationStackArtifact, templateUrl: unknown): string {
  const objectKey = /\/([0-9a-f]{64}\.json)/.exec(JSON.stringify(templateUrl))?.[1];
  const manifests = artifact.dependencies.filter((d) => d instanceof cxapi.AssetManifestArtifact) as cxapi.AssetManifestArtifact[];
  const assets = manifests.flatMap((m) => Object.values(m.contents.files ?? {})
    .filter((f) => Object.values(f.destinations).some((d) => d.objectKey === objectKey))
    .map((f) => ({ packaging: f.source.packaging, file: path.join(path.dirname(m.file), f.source.path!) })));
  expect(assets).toEqual([{ packaging: 'file', file: expect.stringMatching(/asset\.[0-9a-f]{64}\.json$/) }]);
  return assets[0].file;
}

describe('baseline rollout: service-managed StackSets', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const template = estate.stackSets.template;
  const stackSets = () => Object.values(template.toJSON().Resources as Record<string, any>).filter((r) => r.Type === 'AWS::CloudFormation::StackSet').map((r) => r.Properties);
  const stackSet = (name: string = STACK_SET_NAMES.global) => stackSets().find((p) => p.StackSetName === name)!;

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

  test('carries the member templates as synthesized in the GovernanceBaseline stage: the global inline, the regional by URL', () => {
    expect(JSON.parse(stackSet().TemplateBody)).toEqual(estate.baseline.global.template.toJSON());
    expect(stackSet().TemplateURL).toBeUndefined();
    // The regional template is above 80 % of the TemplateBody quota: it goes by TemplateURL, as a file asset of this stack.
    const regional = stackSet(STACK_SET_NAMES.regional);
    expect(regional.TemplateBody).toBeUndefined();
    const uploaded = readFileSync(templateUrlAsset(estate.stackSets.artifact, regional.TemplateURL), 'utf8');
    expect(JSON.parse(uploaded)).toEqual(estate.baseline.regional.template.toJSON());
    // What CloudFormation reads is the minified template: the bytes the quotas are checked against.
    expect(Buffer.byteLength(uploaded, 'utf8')).toBe(Buffer.byteLength(JSON.stringify(estate.baseline.regional.template.toJSON()), 'utf8'));
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

  test('metadata-only OUs move to stack-instances groups of their own, InvocationLogDataDelivery overridden on top of each Region\'s values', () => {
    const prod = config.organizationalUnits.find((o) => o.path === 'Workloads/Prod')!.id;
    const variant = metadataOnlyEstate(['Workloads/Prod']);
    const variantStackSet = (name: string) => Object.values(variant.stackSets.template.toJSON().Resources as Record<string, any>)
      .find((r) => r.Type === 'AWS::CloudFormation::StackSet' && r.Properties.StackSetName === name)!.Properties;
    type Override = { ParameterKey: string; ParameterValue: string };
    type Group = { DeploymentTargets: { OrganizationalUnitIds: string[] }; Regions: string[]; ParameterOverrides?: Override[] };
    const example = stackSet(STACK_SET_NAMES.regional).StackInstancesGroup as Group[];
    const metadataOnly = { ParameterKey: DATA_DELIVERY_PARAMETER, ParameterValue: 'metadata-only' };
    const without = (ids: string[]) => ids.filter((o) => o !== prod);
    expect(variantStackSet(STACK_SET_NAMES.regional).StackInstancesGroup).toEqual([
      ...example.map((g) => ({ ...g, DeploymentTargets: { OrganizationalUnitIds: without(g.DeploymentTargets.OrganizationalUnitIds) } })),
      ...example.map((g) => ({
        ...g, DeploymentTargets: { OrganizationalUnitIds: [prod] }, ParameterOverrides: [...g.ParameterOverrides ?? [], metadataOnly],
      })),
    ]);
    // The account-wide template has no such parameter: its StackSet is the example's.
    expect(variantStackSet(STACK_SET_NAMES.global)).toEqual(stackSet(STACK_SET_NAMES.global));
  });

  test('with every OU overridden no group is left without OUs (CloudFormation refuses one); a Region of no values gets the OU\'s alone', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '318274650913', region: 'eu-central-1' } });
    new ServiceManagedStackSet(stack, 'Member', {
      stackSetName: 'member',
      description: 'a member template',
      templateFile: templateFileOf(10),
      organizationalUnitIds: [],
      organizationalUnitOverrides: [{ organizationalUnitIds: ['ou-4f2k-p4s8j2la', 'ou-4f2k-n6b3e7uf'], parameterOverrides: { P: 'b' } }],
      regions: ['eu-central-1', 'eu-west-1'],
      parameterOverridesByRegion: { 'eu-west-1': { Q: 'west' } },
      callAs: 'SELF',
      retainStacksOnAccountRemoval: false,
      operationPreferences: { regionConcurrency: 'PARALLEL', maxConcurrentPercentage: 25, failureTolerancePercentage: 10 },
    });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CloudFormation::StackSet')) as any[];
    const targets = { OrganizationalUnitIds: ['ou-4f2k-p4s8j2la', 'ou-4f2k-n6b3e7uf'] };
    expect(resource.Properties.StackInstancesGroup).toEqual([
      { DeploymentTargets: targets, Regions: ['eu-central-1'], ParameterOverrides: [{ ParameterKey: 'P', ParameterValue: 'b' }] },
      { DeploymentTargets: targets, Regions: ['eu-west-1'], ParameterOverrides: [{ ParameterKey: 'Q', ParameterValue: 'west' }, { ParameterKey: 'P', ParameterValue: 'b' }] },
    ]);
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

  test(`a template up to ${TEMPLATE_BODY_BUDGET_BYTES} bytes (80 % of the ${TEMPLATE_BODY_MAX_BYTES}-byte quota) goes inline as TemplateBody`, () => {
    const { member, props } = stackSetOf(templateFileOf(TEMPLATE_BODY_BUDGET_BYTES - 200));
    expect(member.templateBytes).toBeLessThanOrEqual(TEMPLATE_BODY_BUDGET_BYTES);
    expect(member.delivery).toBe('TemplateBody');
    const [resource] = Object.values(props) as any[];
    expect(resource.Properties.TemplateBody).toContain('AWS::SSM::Parameter');
    expect(resource.Properties.TemplateURL).toBeUndefined();
  });

  test('a larger template, still under the TemplateBody quota, is published as a file asset of the administrator stack and passed by TemplateURL', () => {
    const file = templateFileOf(TEMPLATE_BODY_BUDGET_BYTES + 10);
    const { stack, member, props } = stackSetOf(file);
    expect(member.delivery).toBe('TemplateURL');
    expect(member.templateBytes).toBeGreaterThan(TEMPLATE_BODY_BUDGET_BYTES);
    expect(member.templateBytes).toBeLessThan(TEMPLATE_BODY_MAX_BYTES);
    const [resource] = Object.values(props) as any[];
    expect(resource.Properties.TemplateBody).toBeUndefined();
    // https://s3.<region>.<suffix>/cdk-hnb659fds-assets-<account>-<region>/<hash>.json: the admin account's asset bucket
    expect(JSON.stringify(resource.Properties.TemplateURL)).toMatch(/cdk-hnb659fds-assets-318274650913-eu-central-1\/[0-9a-f]{64}\.json/);
    // The asset is the template minified: exactly the bytes measured.
    const uploaded = readFileSync(templateUrlAsset(App.of(stack)!.synth().getStackArtifact(stack.artifactId), resource.Properties.TemplateURL));
    expect(uploaded.length).toBe(member.templateBytes);
    expect(JSON.parse(uploaded.toString('utf8'))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  test(`refuses a member template over the ${TEMPLATE_URL_MAX_BYTES}-byte TemplateURL quota, and over 80 % of it`, () => {
    expect(() => stackSetOf(templateFileOf(TEMPLATE_URL_MAX_BYTES))).toThrow(/the member template is \d+ bytes; TemplateURL accepts at most 1048576 /);
    expect(() => stackSetOf(templateFileOf(TEMPLATE_URL_BUDGET_BYTES))).toThrow(/keeps 20 % headroom \(at most 838860\): split the member template/);
    expect(stackSetOf(templateFileOf(TEMPLATE_URL_BUDGET_BYTES - 200)).member.delivery).toBe('TemplateURL');
  });
});
