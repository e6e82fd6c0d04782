import { GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../../contracts/governance-names';
import { exampleEstate } from '../support/example-estate';

/**
 * ORG-TAMPER-BASELINE protects keys, topics, alarms and log groups by the governance tag. The SCPs apply in the
 * accounts that hold evidence (log archive, audit) as in every member, so the resources of those accounts' stacks
 * carry the tag as the baseline's do: the archive key among them, which otherwise anyone with administrator rights in
 * the log-archive account could schedule for deletion.
 */
const TAG_PROTECTED_TYPES = ['AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::CloudWatch::Alarm', 'AWS::Logs::LogGroup', 'AWS::Events::EventBus'];

describe('the evidence accounts\' stacks carry the governance tag', () => {
  const estate = exampleEstate();
  const stacks = [estate.logArchive, estate.auditAlerts, estate.auditAnalytics, ...estate.observability, ...estate.macie];

  test.each(stacks.map((s) => [s.artifact.stackName, s] as const))('%s: every key, topic, alarm, log group and bus is tagged', (_, stack) => {
    const resources = Object.entries(stack.template.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>)
      .filter(([, r]) => TAG_PROTECTED_TYPES.includes(r.Type));
    const untagged = resources.filter(([, r]) => !(Array.isArray(r.Properties?.Tags)
      && (r.Properties.Tags as { Key: string; Value: string }[]).some((t) => t.Key === GOVERNANCE_TAG_KEY && t.Value === GOVERNANCE_TAG_VALUE)));
    expect(untagged.map(([id, r]) => `${id} (${r.Type})`)).toEqual([]);
  });

  test('the log-archive stack has its archive key among them', () => {
    expect(Object.values(estate.logArchive.template.findResources('AWS::KMS::Key')).length).toBeGreaterThan(0);
  });
});
