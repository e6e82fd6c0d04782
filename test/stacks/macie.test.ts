import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { inlineHandlerCode } from '../../stacksets/rollout/inline-handler';
import { synthEstate } from '../support/estate';
import { exampleConfig } from '../support/example-config';

describe('MAC-1: Macie with the audit account as delegated administrator', () => {
  const { estate } = synthEstate(exampleConfig());
  const management = Template.fromStack(estate.management);
  const audit = Template.fromStack(estate.auditAlerts);

  test('the management account registers the audit account with the tested inline handler', () => {
    management.hasResourceProperties('Custom::MacieDelegatedAdministrator', { AdminAccountId: '527038146692' });
    const [fn] = Object.values(management.findResources('AWS::Lambda::Function')) as any[];
    const code = inlineHandlerCode(path.join(__dirname, '..', '..', 'stacks', 'management', 'handlers', 'macie-delegated-administrator.ts'));
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Code: { ZipFile: code }, FunctionName: 'genai-governance-macie-administrator-registration' });
  });

  test('the handler may register Macie administrators and nothing else of Macie', () => {
    const [policy] = Object.values(management.findResources('AWS::IAM::ManagedPolicy')) as any[];
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()).filter((a: string) => a.startsWith('macie2:'));
    expect(actions.sort()).toEqual(['macie2:EnableOrganizationAdminAccount', 'macie2:ListOrganizationAdminAccounts']);
  });

  test('the audit account enables Macie and sends every Macie finding to the alert topic', () => {
    audit.hasResourceProperties('AWS::Macie::Session', { Status: 'ENABLED', FindingPublishingFrequency: 'FIFTEEN_MINUTES' });
    const rule = Object.values(audit.findResources('AWS::Events::Rule')).find((r: any) => r.Properties.Name === 'genai-governance-macie-findings') as any;
    expect(rule.Properties.EventPattern).toEqual({ 'source': ['aws.macie'], 'detail-type': ['Macie Finding'] });
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^Topic/) });
  });
});
