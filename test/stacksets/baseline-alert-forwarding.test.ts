import { Match } from 'aws-cdk-lib/assertions';
import { ALERT_BUS_NAME } from '../../contracts/alert-bus';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { OrgSimulator } from '../support/org-simulator';
import { flatten } from '../support/template-values';

describe('BL-MON-1: governance alarms reach the audit account', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const { assembly } = estate;
  const member = estate.baseline.regional.template;
  const audit = estate.auditAlerts.template;
  const auditBusArn = `arn:\${AWS::Partition}:events:eu-central-1:527038146692:event-bus/${ALERT_BUS_NAME}`;

  test('each member forwards every state change of a genai-governance- alarm to the audit bus in the home Region', () => {
    const [rule] = Object.values(member.findResources('AWS::Events::Rule')) as any[];
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'detail': { alarmName: [{ prefix: 'genai-governance-' }] },
    });
    const [target] = rule.Properties.Targets;
    expect(flatten(target.Arn)).toBe(auditBusArn);
    expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AlertForwardingRole/), 'Arn'] });
    const alarmNames = Object.values(member.findResources('AWS::CloudWatch::Alarm')).map((a: any) => String(flatten(a.Properties.AlarmName)));
    expect(alarmNames.length).toBeGreaterThan(0);
    expect(alarmNames.every((n) => n.startsWith('genai-governance-'))).toBe(true);
  });

  test('the forwarding role may put events on the audit bus and nothing else', () => {
    const policies = Object.values(member.findResources('AWS::IAM::ManagedPolicy')) as any[];
    const forwarding = policies.find((p) => flatten(p.Properties.ManagedPolicyName).startsWith('genai-governance-alert-forwarding-'));
    expect(forwarding.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'events:PutEvents', Resource: expect.anything() }),
    ]);
    expect(flatten(forwarding.Properties.PolicyDocument.Statement[0].Resource)).toBe(auditBusArn);
  });

  test('the audit account archives what arrives and publishes changes into ALARM to an encrypted topic', () => {
    audit.hasResourceProperties('AWS::Events::Archive', { RetentionDays: config.retention.logGroupRetentionDays });
    const [rule] = Object.values(audit.findResources('AWS::Events::Rule')) as any[];
    expect(rule.Properties.EventPattern.detail).toEqual({ alarmName: [{ prefix: 'genai-governance-' }], state: { value: ['ALARM'] } });
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^Topic/) });
    audit.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'genai-governance-baseline-alerts', KmsMasterKeyId: Match.anyValue() });
  });

  test('evaluated with the synthesized bus policy: member forwarding roles in, others and outsiders out', async () => {
    const [bus] = Object.values(audit.findResources('AWS::Events::EventBus')) as any[];
    const policy = JSON.parse(JSON.stringify(bus.Properties.Policy, (_, v) => (v && typeof v === 'object' && v['Fn::Join'] ? flatten(v).replace('${AWS::Partition}', 'aws') : v)));
    const busArn = `arn:aws:events:eu-central-1:527038146692:event-bus/${ALERT_BUS_NAME}`;
    expect(policy.Statement[0].Resource).toBe(busArn);
    const simulator = new OrgSimulator(assembly, config);
    const put = (request: { role?: string; principalArn?: string; context?: Record<string, string> }) => simulator.evaluate({
      account: 'support-chat-prod',
      ...request,
      action: 'events:PutEvents',
      resource: busArn,
      resourceAccount: '527038146692',
      resourcePolicy: policy,
      identityPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }] },
    });
    expect((await put({ role: 'genai-governance-alert-forwarding-eu-west-1' })).result).toBe('Allowed');
    // A workload role: ORG-TAMPER-BASELINE denies putting events on the governance alert bus before the bus policy is read.
    expect(await put({ role: 'support-chat-app' })).toEqual({ result: 'ExplicitlyDenied', deniedBy: ['ORGTAMPERBASELINEDenyAlertRoutingChanges'] });
    // Another governance role, which the SCPs exempt: the bus policy admits only the forwarding roles.
    expect((await put({ role: 'genai-governance-invocation-logging-eu-west-1' })).result).toBe('ImplicitlyDenied');
    const outsider = await put({ principalArn: 'arn:aws:iam::999988887777:role/genai-governance-alert-forwarding-eu-west-1', context: { 'aws:PrincipalOrgID': 'o-someoneelse1' } });
    expect(outsider.result).not.toBe('Allowed');
  });
});
