import { brAip1Statements } from './br-aip-1';
import { brCri1Statements } from './br-cri-1';
import { brCri2Statements } from './br-cri-2';
import { brKey1Statements } from './br-key-1';
import { brModel1Statements } from './br-model-1';
import { brPath1Statements } from './br-path-1';
import { brVpce1Statements } from './br-vpce-1';
import type { ControlStatements } from './control';
import { orgBoundary1Statements } from './org-boundary-1';
import { orgPerim1Statements } from './org-perim-1';
import { orgRegion1Statements } from './org-region-1';
import { orgTamperBaselineStatements } from './org-tamper-baseline';
import { orgTamperDetectiveStatements } from './org-tamper-detective';
import { orgTamperGuardrailStatements } from './org-tamper-guardrail';
import { orgTamperLeaveStatements } from './org-tamper-leave';
import { orgTamperLoggingStatements } from './org-tamper-logging';
import { orgTamperMacieStatements } from './org-tamper-macie';
import { orgTamperOamStatements } from './org-tamper-oam';
import { orgTamperTrailStatements } from './org-tamper-trail';
import type { GovernanceConfig } from '../config/schema';

/** Whether BR-VPCE-1 applies to every workload OU, so its statements can share their policies. */
function vpcEndpointOusAreAllWorkloadOus(config: GovernanceConfig): boolean {
  const required = new Set(config.bedrock.requireVpcEndpoint);
  return config.organization.workloadOrganizationalUnits.every((ou) => required.has(ou));
}

/**
 * Every authorization-policy control of the catalog for a config, in catalog order (the compiler keeps this order
 * inside each policy, so diffs stay readable). Bedrock controls go to the workload OUs; Region restriction and tamper
 * protection to the root (every account but the management account); the data perimeter to the accounts that hold evidence (log archive, audit);
 * BR-VPCE-1 to the OUs that require VPC endpoints.
 */
export function organizationControls(config: GovernanceConfig): ControlStatements[] {
  const scp = (controlId: string, attachTo: ControlStatements['attachTo'], statements: ControlStatements['statements']): ControlStatements =>
    ({ controlId, policyType: 'SERVICE_CONTROL_POLICY', attachTo, statements });
  return [
    scp('BR-CRI-1', 'workload-ous', brCri1Statements(config)),
    scp('BR-CRI-2', 'workload-ous', brCri2Statements(config)),
    scp('BR-MODEL-1', 'workload-ous', brModel1Statements(config)),
    scp('BR-AIP-1', 'workload-ous', brAip1Statements(config)),
    scp('BR-PATH-1', 'workload-ous', brPath1Statements(config)),
    scp('BR-KEY-1', 'workload-ous', brKey1Statements()),
    scp('ORG-BOUNDARY-1', 'workload-ous', orgBoundary1Statements(config)), // workload roles keep the BL-IAM-1 boundary
    // Only when a detective control of docs/adr/0026-aws-managed-detective-controls.md is on; the root SCP has no room for it.
    ...(orgTamperDetectiveStatements(config).length > 0 ? [scp('ORG-TAMPER-DETECTIVE', 'workload-ous', orgTamperDetectiveStatements(config))] : []),
    // Packed with the other Bedrock controls when every workload OU requires the endpoints; a policy of its own otherwise.
    scp('BR-VPCE-1', vpcEndpointOusAreAllWorkloadOus(config) ? 'workload-ous' : 'vpc-endpoint-ous', brVpce1Statements(config)),
    scp('ORG-REGION-1', 'root', orgRegion1Statements(config)),
    scp('ORG-TAMPER-TRAIL', 'root', orgTamperTrailStatements(config)),
    scp('ORG-TAMPER-LOGGING', 'root', orgTamperLoggingStatements(config)),
    scp('ORG-TAMPER-MACIE', 'root', orgTamperMacieStatements(config)),
    scp('ORG-TAMPER-GUARDRAIL', 'root', orgTamperGuardrailStatements(config)),
    scp('ORG-TAMPER-OAM', 'root', orgTamperOamStatements(config)),
    scp('ORG-TAMPER-BASELINE', 'root', orgTamperBaselineStatements(config)),
    scp('ORG-TAMPER-LEAVE', 'root', orgTamperLeaveStatements(config)),
    { controlId: 'ORG-PERIM-1', policyType: 'RESOURCE_CONTROL_POLICY', attachTo: 'evidence-accounts', statements: orgPerim1Statements(config) },
  ];
}
