import { resourcesOf, type Assembly, type Template } from './assembly';
import { isLiteral, type Fact } from './fact';
import { memberTargets } from './member-targets';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_ALARM_PREFIX } from '../../contracts/alert-bus';

/**
 * BL-MON-1 and DASH-1 facts: every governance alarm by name and type, in every account × Region that deploys it. The
 * member baseline's alarms (StackSets) are BL-MON-1; the governance stacks' own alarms (the audit account's organization
 * alarms) are DASH-1. Tenant stacks (not `Governance*`) are workloads, not controls, and are not read.
 */

/** Alarm types as DescribeAlarms names them. */
export type AlarmType = 'MetricAlarm' | 'CompositeAlarm';

const TYPES: Record<string, AlarmType> = { 'AWS::CloudWatch::Alarm': 'MetricAlarm', 'AWS::CloudWatch::CompositeAlarm': 'CompositeAlarm' };

function alarmsOf(template: Template): { name: string; type: AlarmType }[] {
  return Object.entries(TYPES).flatMap(([cfnType, type]) => resourcesOf(template, cfnType)
    .filter(([, p]) => typeof p.AlarmName === 'string' && isLiteral(p.AlarmName) && p.AlarmName.startsWith(GOVERNANCE_ALARM_PREFIX))
    .map(([, p]) => ({ name: String(p.AlarmName), type })));
}

function alarmFact(control: string, account: string, region: string, alarm: { name: string; type: AlarmType }): Fact {
  return {
    control,
    account,
    region,
    clientRegion: region,
    kind: 'alarm',
    subject: alarm.name,
    call: `cloudwatch:DescribeAlarms --alarm-name-prefix ${GOVERNANCE_ALARM_PREFIX}`,
    expected: { AlarmType: alarm.type },
  };
}

export function alarmFacts(assembly: Assembly, config: GovernanceConfig): Fact[] {
  const own = assembly.stacks.filter((s) => s.stackName.startsWith('Governance'))
    .flatMap((s) => alarmsOf(s.template).map((a) => alarmFact('DASH-1', s.account, s.region, a)));
  const members = assembly.members.flatMap((m) => {
    const alarms = alarmsOf(m.template);
    return memberTargets(m, config).flatMap((t) => alarms.map((a) => alarmFact('BL-MON-1', t.account, t.region, a)));
  });
  return [...own, ...members];
}
