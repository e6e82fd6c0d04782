import type { PolicyStatement } from './policy-document';

/** Organizations authorization policy types the compiler packs. */
export type AuthorizationPolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

/**
 * Where a control's statements are attached:
 * - `root`: every account except the management account (SCPs and RCPs never apply to it);
 * - `workload-ous`: the config's `organization.workloadOrganizationalUnits`;
 * - `evidence-accounts`: the accounts that hold evidence: the log archive (the archives and their key) and the audit
 *   account (the analytics over them, the query results, the alerts);
 * - `vpc-endpoint-ous`: the workload OUs of `bedrock.requireVpcEndpoint` (BR-VPCE-1), when they are not all of them.
 */
export type AttachmentPoint = 'root' | 'workload-ous' | 'evidence-accounts' | 'vpc-endpoint-ous';

/** One control of the catalog as Organizations policy statements. */
export interface ControlStatements {
  /** Catalog id, e.g. `BR-CRI-1`. */
  readonly controlId: string;
  readonly policyType: AuthorizationPolicyType;
  readonly attachTo: AttachmentPoint;
  /** Statements with stable, control-prefixed Sids. */
  readonly statements: readonly PolicyStatement[];
}
