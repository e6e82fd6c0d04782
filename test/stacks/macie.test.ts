import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { bundleHandler, inlineHandlerCode } from '../../building-blocks/custom-resources/inline-handler';
import { invocationLogArchiveBucketName } from '../../contracts/archive-names';
import { STACK_RECIPES } from '../../stacks/estate';
import { synthOne } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate, type SynthesizedStack } from '../support/example-estate';
import { OrgSimulator } from '../support/org-simulator';
import { flatten } from '../support/template-values';

const handlerCode = (...parts: string[]) => bundleHandler(path.join(__dirname, '..', '..', 'stacks', ...parts));
/**
 * The `index.js` a function's code asset ships, read from the synthesized assembly: the asset of the stack's manifest
 * whose destination key is the function's `Code.S3Key` (a directory asset, zipped when it is published).
 */
const assetCode = (stack: SynthesizedStack, functionName: string): string => {
  const fn = Object.values(stack.template.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.FunctionName === functionName) as any;
  expect(Object.keys(fn.Properties.Code)).toEqual(['S3Bucket', 'S3Key']);
  const manifests = stack.artifact.dependencies.filter((d): d is AssetManifestArtifact => d instanceof AssetManifestArtifact);
  const [asset] = manifests.flatMap((m) => Object.values(m.contents.files ?? {})
    .filter((f) => Object.values(f.destinations).some((d) => d.objectKey === fn.Properties.Code.S3Key))
    .map((f) => ({ directory: path.dirname(m.file), source: f.source })));
  expect(asset.source.packaging).toBe('zip');
  return readFileSync(path.join(asset.directory, asset.source.path!, 'index.js'), 'utf8');
};
const macieActions = (template: Template, policyName: string) => {
  const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).find((p: any) => p.Properties.ManagedPolicyName === policyName) as any;
  return policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()).filter((a: string) => !a.startsWith('logs:')).sort();
};

describe('MAC-1: Macie for the organization, the audit account as delegated administrator', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const { assembly } = estate;
  const management = estate.management.template;
  const alerts = estate.auditAlerts.template;
  const [home, other] = estate.macie.map((s) => s.template);

  test('the management account registers the audit account in every governed Region with the tested handler, a code asset', () => {
    management.hasResourceProperties('Custom::MacieDelegatedAdministrator', { AdminAccountId: '527038146692', Regions: ['eu-central-1', 'eu-west-1'] });
    const [fn] = Object.values(management.findResources('AWS::Lambda::Function')) as any[];
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', FunctionName: 'genai-governance-macie-administrator-registration' });
    expect(assetCode(estate.management, 'genai-governance-macie-administrator-registration'))
      .toBe(handlerCode('management', 'handlers', 'macie-delegated-administrator.ts'));
    expect(macieActions(management, 'genai-governance-macie-administrator-registration').filter((a: string) => a.startsWith('macie2:')))
      .toEqual(['macie2:EnableOrganizationAdminAccount', 'macie2:ListOrganizationAdminAccounts']);
  });

  test('the classification-job handler is past 80 % of the inline quota: inline refuses it, so the Macie handlers ship as code assets', () => {
    expect(() => inlineHandlerCode(path.join(__dirname, '..', '..', 'stacks', 'audit', 'handlers', 'macie-classification-job.ts')))
      .toThrow(/the bundled handler is \d+ bytes; inline Lambda code \(ZipFile\) accepts at most 4096 and this app keeps 20 % headroom \(at most 3276\)/);
  });

  test('one audit-account stack per governed Region, after the registration, the alert bus and (home) the archive', () => {
    expect(estate.macie.map((s) => [s.account, s.region])).toEqual([['527038146692', 'eu-central-1'], ['527038146692', 'eu-west-1']]);
    const dependencies = estate.macie.map((s) => s.dependencies.sort());
    expect(dependencies).toEqual([
      ['GovernanceAuditAlerts', 'GovernanceLogArchive', 'GovernanceManagement'],
      ['GovernanceAuditAlerts', 'GovernanceManagement'],
    ]);
    // Designation turns Macie on in the audit account: a declared session would collide with it.
    for (const t of [home, other, alerts]) t.resourceCountIs('AWS::Macie::Session', 0);
  });

  test('each Region: auto-enable, every existing account, discovery for all members, by the tested handler, a code asset', () => {
    for (const [stack, region] of [[estate.macie[0], 'eu-central-1'], [estate.macie[1], 'eu-west-1']] as const) {
      const t = stack.template;
      t.hasResourceProperties('Custom::MacieOrganization', { AdminAccountId: '527038146692', AutomatedDiscovery: 'ENABLED', AutoEnableOrganizationMembers: 'ALL' });
      expect(assetCode(stack, `genai-governance-macie-organization-${region}`)).toBe(handlerCode('audit', 'handlers', 'macie-organization.ts'));
      expect(macieActions(t, `genai-governance-macie-organization-${region}`)).toEqual([
        'macie2:CreateMember', 'macie2:ListMembers', 'macie2:UpdateAutomatedDiscoveryConfiguration', 'macie2:UpdateOrganizationConfiguration', 'organizations:ListAccounts',
      ]);
    }
  });

  test('automatedDiscovery: false turns discovery off and keeps auto-enable', () => {
    const off = exampleConfig();
    (off.audit.macie as { automatedDiscovery: boolean }).automatedDiscovery = false;
    synthOne((app) => STACK_RECIPES.macie(app, off, off.organization.homeRegion)).hasResourceProperties('Custom::MacieOrganization', { AutomatedDiscovery: 'DISABLED' });
  });

  test('the home Region runs the scheduled job over the invocation-log archive, after the members exist; no other Region does', () => {
    const jobs = home.findResources('Custom::MacieClassificationJob');
    const [[, job]] = Object.entries(jobs) as [string, any][];
    expect(job.Properties).toMatchObject({
      BucketAccountId: '402761958314', BucketName: invocationLogArchiveBucketName(config), Schedule: 'DAILY', SamplingPercentage: '100',
    });
    const [organizationId] = Object.keys(home.findResources('Custom::MacieOrganization'));
    expect(job.DependsOn).toContain(organizationId);
    other.resourceCountIs('Custom::MacieClassificationJob', 0);
    expect(assetCode(estate.macie[0], 'genai-governance-macie-classification-job')).toBe(handlerCode('audit', 'handlers', 'macie-classification-job.ts'));
    const policy = Object.values(home.findResources('AWS::IAM::ManagedPolicy')).find((p: any) => p.Properties.ManagedPolicyName === 'genai-governance-macie-classification-job') as any;
    expect(flatten(policy.Properties.PolicyDocument.Statement[0].Resource)).toBe('arn:aws:macie2:eu-central-1:527038146692:classification-job/*');
  });

  test('findings of every Region reach the alert topic through the home Region\'s alert bus', () => {
    for (const t of [home, other]) {
      const rule = Object.values(t.findResources('AWS::Events::Rule'))[0] as any;
      expect(rule.Properties.EventPattern).toEqual({ 'source': ['aws.macie'], 'detail-type': ['Macie Finding'] });
      expect(flatten(rule.Properties.Targets[0].Arn)).toBe('arn:aws:events:eu-central-1:527038146692:event-bus/genai-governance-alerts');
    }
    const rule = Object.values(alerts.findResources('AWS::Events::Rule')).find((r: any) => r.Properties.Name === 'genai-governance-macie-findings') as any;
    expect(rule.Properties).toMatchObject({ EventBusName: { Ref: expect.stringMatching(/^Bus/) }, EventPattern: { 'source': ['aws.macie'], 'detail-type': ['Macie Finding'] } });
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^Topic/) });
  });

  test('evaluated: the archive key lets the log-archive account\'s Macie role decrypt through S3 only', async () => {
    const archive = estate.logArchive.template;
    const [key] = Object.values(archive.findResources('AWS::KMS::Key', { Properties: { Description: 'SSE-KMS key of the governance evidence archive' } })) as any[];
    const keyPolicy = JSON.parse(JSON.stringify(key.Properties.KeyPolicy, (_, v) => (v && typeof v === 'object' && (v['Fn::Join'] || v.Ref) ? flatten(v).replace('${AWS::Partition}', 'aws') : v)));
    const simulator = new OrgSimulator(assembly, config);
    const keyArn = 'arn:aws:kms:eu-central-1:402761958314:key/0a1b2c3d-1111-2222-3333-444455556666';
    const decrypt = (role: string, account: string, context: Record<string, string> = { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' }) => simulator.evaluate({
      account,
      role,
      action: 'kms:Decrypt',
      resource: keyArn,
      resourceAccount: '402761958314',
      resourcePolicy: keyPolicy,
      identityPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: 'kms:*', Resource: '*' }] },
      context,
    });
    const macie = 'aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie';
    expect((await decrypt(macie, 'log-archive')).result).toBe('Allowed');
    expect((await decrypt(macie, 'log-archive', {})).result).not.toBe('Allowed');
    expect((await decrypt(macie, 'support-chat-prod')).result).not.toBe('Allowed');
    expect((await decrypt('support-chat-app', 'log-archive')).result).not.toBe('Allowed');
  });
});
