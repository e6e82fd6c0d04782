import { resourcesOf, type Assembly } from './assembly';
import type { Fact } from './fact';
import { INVOCATION_LOGGING_TYPE } from './facts-invocation-logging';
import { memberTargets } from './member-targets';
import type { GovernanceConfig } from '../../config/schema';
import { aiSecurityStandardArn } from '../../contracts/detective-controls';

/**
 * The AWS-managed detective controls' facts (docs/adr/0026-aws-managed-detective-controls.md):
 *
 * - DET-SH-1, every account × Region of the member baseline, when the assembly holds Security Hub's central
 *   configuration policy: the AI Security Best Practices v1.0.0 standard is enabled and `READY` there
 *   (`securityhub:GetEnabledStandards`);
 * - DET-CFG-1, every account × Region of the member baseline, when the member template holds the recorder: the recorder
 *   records exactly the template's resource types and is recording (`config:DescribeConfigurationRecorders`,
 *   `config:DescribeConfigurationRecorderStatus`);
 * - DET-CFG-1, the audit account × each Region of an `AWS::Config::OrganizationConformancePack`: the organization
 *   conformance pack is deployed (`config:DescribeOrganizationConformancePackStatuses`).
 *
 * Reading them also gathers what AWS's own checks found (the standard's findings, the pack's status per account) for
 * the report's "AWS-managed detective controls" section; those are AWS's findings about resources, not drift.
 */

export function detectiveFacts(assembly: Assembly, config: GovernanceConfig): Fact[] {
  const centralPolicy = assembly.stacks.some((s) => resourcesOf(s.template, 'AWS::SecurityHub::ConfigurationPolicy').length > 0);
  const regional = assembly.members.filter((m) => resourcesOf(m.template, INVOCATION_LOGGING_TYPE).length > 0);
  const memberFacts = regional.flatMap((member) => {
    const recorders = resourcesOf(member.template, 'AWS::Config::ConfigurationRecorder');
    return memberTargets(member, config).flatMap((target): Fact[] => [
      ...(centralPolicy ? [{
        control: 'DET-SH-1',
        account: target.account,
        region: target.region,
        clientRegion: target.region,
        kind: 'security-hub-standard' as const,
        subject: 'ai-security-best-practices/v/1.0.0',
        call: 'securityhub:GetEnabledStandards',
        expected: { standardsArn: aiSecurityStandardArn(target.region), standardsStatus: 'READY' },
      }] : []),
      ...recorders.map(([, p]): Fact => ({
        control: 'DET-CFG-1',
        account: target.account,
        region: target.region,
        clientRegion: target.region,
        kind: 'config-recorder',
        subject: String(p.Name),
        call: 'config:DescribeConfigurationRecorders, config:DescribeConfigurationRecorderStatus',
        expected: {
          name: String(p.Name),
          resourceTypes: [...((p.RecordingGroup as { ResourceTypes?: string[] }).ResourceTypes ?? [])].sort(),
          recording: true,
        },
      })),
    ]);
  });
  const packs = assembly.stacks.flatMap((stack) => resourcesOf(stack.template, 'AWS::Config::OrganizationConformancePack').map(([, p]): Fact => ({
    control: 'DET-CFG-1',
    account: stack.account,
    region: stack.region,
    clientRegion: stack.region,
    kind: 'conformance-pack',
    subject: String(p.OrganizationConformancePackName),
    call: 'config:DescribeOrganizationConformancePackStatuses',
    expected: { name: String(p.OrganizationConformancePackName), deployed: true },
  })));
  return [...memberFacts, ...packs];
}
