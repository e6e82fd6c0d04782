import { getDenialReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** An Organizations policy as synthesized: read back from the templates, not from the functions that build it. */
export interface SynthesizedPolicy {
  readonly name: string;
  readonly type: string;
  readonly targetIds: readonly string[];
  readonly content: any;
}

/** Every `AWS::Organizations::Policy` in the assembly. */
export function synthesizedPolicies(assembly: CloudAssembly): SynthesizedPolicy[] {
  return assembly.stacks.flatMap((s) => Object.values(s.template.Resources as Record<string, any>)
    .filter((r) => r.Type === 'AWS::Organizations::Policy')
    .map((r) => ({ name: r.Properties.Name, type: r.Properties.Type, targetIds: r.Properties.TargetIds, content: r.Properties.Content })));
}

export interface OrgRequest {
  /** Account name from the config whose role makes the request. */
  readonly account: string;
  /** Role name of the principal. @default 'workload-admin' */
  readonly role?: string;
  /** Full principal ARN, for principals outside the organization. */
  readonly principalArn?: string;
  readonly action: string;
  readonly resource: string;
  /** Account that owns the resource. @default the principal's account */
  readonly resourceAccount?: string;
  /** Context keys beyond the defaults (principal ARN, account, org id, Region from the resource ARN). */
  readonly context?: Record<string, string | string[]>;
  /** A resource policy of the resource, for cross-account requests. */
  readonly resourcePolicy?: unknown;
  /** The principal's identity policy. @default one that allows everything */
  readonly identityPolicy?: unknown;
  /** A permission boundary on the principal. @default none */
  readonly permissionBoundary?: unknown;
  /** The session policy of an assumed-role session. @default none */
  readonly sessionPolicy?: unknown;
}

/**
 * Evaluates requests as AWS would in the example organization with the synthesized SCPs and RCPs attached where their
 * `TargetIds` say (every level also has FullAWSAccess), an identity policy that allows everything unless the request
 * names one, and the request context AWS would set.
 */
export class OrgSimulator {
  private readonly policies: SynthesizedPolicy[];

  constructor(assembly: CloudAssembly, private readonly config: GovernanceConfig) {
    this.policies = synthesizedPolicies(assembly);
  }

  /** Root, each OU on the account's path, the account: the levels policies apply at, outermost first. */
  private levels(accountId: string): string[] {
    const account = this.config.accounts.find((a) => a.id === accountId);
    const ouIds = new Map(this.config.organizationalUnits.map((o) => [o.path, o.id]));
    const parts = account?.organizationalUnit?.split('/') ?? [];
    return [this.config.organization.rootId, ...parts.map((_, i) => ouIds.get(parts.slice(0, i + 1).join('/'))!), accountId];
  }

  private attached(type: string, accountId: string) {
    return this.levels(accountId).map((level) => ({
      orgIdentifier: level,
      policies: this.policies.filter((p) => p.type === type && p.targetIds.includes(level)).map((p) => ({ name: p.name, policy: p.content })),
    }));
  }

  public accountId(name: string): string {
    return accountIdOf(this.config, name);
  }

  /** The overall result (`Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`) and the Sids of the denying statements. */
  public async evaluate(request: OrgRequest): Promise<{ result: string; deniedBy: string[] }> {
    const accountId = this.accountId(request.account);
    const principal = request.principalArn ?? `arn:aws:iam::${accountId}:role/${request.role ?? 'workload-admin'}`;
    const principalAccount = principal.split(':')[4];
    const inOrg = this.config.accounts.some((a) => a.id === principalAccount);
    const resourceAccount = request.resourceAccount ?? accountId;
    const region = request.resource.split(':')[3];
    const simulation: Simulation = {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: resourceAccount },
        contextVariables: {
          'aws:PrincipalArn': principal,
          'aws:PrincipalAccount': principalAccount,
          ...(inOrg && { 'aws:PrincipalOrgID': this.config.organization.id }),
          'aws:PrincipalIsAWSService': 'false',
          'aws:RequestedRegion': region || this.config.organization.homeRegion,
          ...request.context,
        },
      },
      identityPolicies: [{ name: 'identity', policy: request.identityPolicy ?? ALLOW_ALL }],
      ...(request.permissionBoundary !== undefined && { permissionBoundaryPolicies: [{ name: 'boundary', policy: request.permissionBoundary }] }),
      ...(request.sessionPolicy !== undefined && { sessionPolicy: request.sessionPolicy }),
      serviceControlPolicies: inOrg ? this.attached('SERVICE_CONTROL_POLICY', principalAccount).map((l) => ({
        ...l, policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, ...l.policies],
      })) : [],
      resourceControlPolicies: this.attached('RESOURCE_CONTROL_POLICY', resourceAccount),
      ...(request.resourcePolicy !== undefined && { resourcePolicy: request.resourcePolicy }),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') throw new Error(`simulation error for ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
    const analysis = (result as { result?: { analysis?: unknown } }).result?.analysis;
    const deniedBy = analysis ? getDenialReasons(analysis as never).map((d) => ('statementId' in d && d.statementId) || d.denialType) : [];
    return { result: result.overallResult, deniedBy: [...new Set(deniedBy)] };
  }
}
