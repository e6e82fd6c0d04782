import { denyUnlessGovernance } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * Security Hub CSPM actions that turn the AI standard, its controls or the central configuration off (DET-SH-1). The
 * `Update*`, `Delete*`, `Disable*` and `Disassociate*` families hold no read, so an action Security Hub adds to them is
 * denied too (as ORG-TAMPER-MACIE does for Macie).
 */
export const SECURITY_HUB_TAMPER_ACTIONS = [
  'securityhub:Update*', 'securityhub:Delete*', 'securityhub:Disable*', 'securityhub:Disassociate*', 'securityhub:BatchDisableStandards',
  'securityhub:BatchUpdateStandardsControlAssociations', 'securityhub:StartConfigurationPolicyDisassociation',
] as const;

/**
 * AWS Config actions that stop, narrow or redirect the baseline's recorder (DET-CFG-1, with `recorder: baseline`): the
 * `*ConfigurationRecorder` and `*DeliveryChannel` families are the Put, Delete, Start and Stop actions (the reads end in
 * `s` or `Status`).
 */
export const CONFIG_RECORDER_TAMPER_ACTIONS = [
  'config:*ConfigurationRecorder', 'config:*DeliveryChannel', 'config:AssociateResourceTypes', 'config:DisassociateResourceTypes',
] as const;

/** Changing or deleting an organization conformance pack (Put and Delete; the reads end otherwise). */
export const CONFORMANCE_PACK_TAMPER_ACTIONS = ['config:*OrganizationConformancePack'] as const;

/**
 * ORG-TAMPER-DETECTIVE, on the workload OUs: no workload principal turns off the AWS-managed detective controls of
 * docs/adr/0026-aws-managed-detective-controls.md in its account. With `detective.securityHub` on: disabling Security
 * Hub CSPM or a standard, turning a control off, leaving the administrator, changing the configuration. With
 * `detective.configConformance` on: changing an organization conformance pack and, when the baseline owns the
 * recorder, stopping, deleting or narrowing it or its delivery channel (an account has one recorder: with
 * `recorder: existing` it belongs to whoever created it, e.g. AWS Control Tower, which guards it itself). Member
 * accounts cannot change or delete the copy of an organization conformance pack Config puts in them. Security Hub and
 * Config apply the configuration in member accounts through their service-linked roles, which SCPs do not restrict.
 * Attached to the workload OUs rather than the root: the root SCP has no room left under the 10,240-character limit
 * for it, and the audit account's central configuration and pack are changed by its administrators, the governance's
 * own operators (docs/adr/0026-aws-managed-detective-controls.md).
 */
export function orgTamperDetectiveStatements(config: GovernanceConfig): PolicyStatement[] {
  const { securityHub, configConformance } = config.detective;
  const actions = [
    ...(securityHub.enabled ? SECURITY_HUB_TAMPER_ACTIONS : []),
    ...(configConformance.enabled && configConformance.recorder === 'baseline' ? CONFIG_RECORDER_TAMPER_ACTIONS : []),
    ...(configConformance.enabled ? CONFORMANCE_PACK_TAMPER_ACTIONS : []),
  ];
  return actions.length > 0 ? [denyUnlessGovernance(config, 'ORGTAMPERDETECTIVEDenyDetectiveChanges', actions)] : [];
}
