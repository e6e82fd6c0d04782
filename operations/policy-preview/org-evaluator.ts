import { getDenialReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';

/** The policy AWS keeps attached at every level (`FullAWSAccess`) and an identity policy that allows everything. */
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** An Organizations authorization policy and where it is attached: from a template, a snapshot or the compiler. */
export interface AttachedPolicy {
  readonly name: string;
  /** `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY` (other types are ignored by the evaluation). */
  readonly type: string;
  /** Roots, OUs and accounts it is attached to. */
  readonly targetIds: readonly string[];
  /** The policy document, parsed. */
  readonly content: any;
}

export interface OrgRequest {
  /** Account name from the config whose role makes the request (or `accountId`). */
  readonly account?: string;
  /** Account id whose role makes the request, for accounts known by id only (a CloudTrail record). */
  readonly accountId?: string;
  /** Role name of the principal. @default 'workload-admin' */
  readonly role?: string;
  /** Full principal ARN, for principals outside the organization (or any principal, when known). */
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
  /** The policy of the VPC endpoint the request arrives through. @default none: not through an endpoint */
  readonly vpcEndpointPolicy?: unknown;
}

/** The overall result (`Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`) and the Sids of the denying statements. */
export interface OrgDecision {
  readonly result: string;
  readonly deniedBy: string[];
}

/**
 * Evaluates requests with iam-simulate (AWS's policy evaluation logic, docs/adr/0012) as AWS would in the config's
 * organization with the given SCPs and RCPs attached where their `targetIds` say (every level also has FullAWSAccess),
 * an identity policy that allows everything unless the request names one, and the request context AWS would set.
 * Accounts are placed in the hierarchy by the config (`accounts[].organizationalUnit`); an account the config does not
 * list is evaluated at the root and itself only (`levels`).
 */
export class OrgEvaluator {
  /** Each policy's statements that can apply to an action, by policy document and action (see `forAction`). */
  private readonly relevant = new WeakMap<object, Map<string, unknown>>();

  constructor(protected readonly config: GovernanceConfig, private readonly policies: readonly AttachedPolicy[]) {}

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

  /**
   * The levels with each policy cut down to the statements whose `Action` matches the action (or whose `NotAction`
   * does not), and policies left with none dropped: a statement for other actions never applies to the request, so
   * the decision and the denying Sids are the same, and iam-simulate matches a few statements instead of hundreds.
   */
  private forAction(levels: ReturnType<OrgEvaluator['attached']>, action: string) {
    return levels.map((l) => ({
      ...l,
      policies: l.policies.flatMap((p) => {
        let byAction = this.relevant.get(p.policy);
        if (!byAction) this.relevant.set(p.policy, byAction = new Map());
        if (!byAction.has(action)) byAction.set(action, statementsFor(p.policy, action));
        const policy = byAction.get(action);
        return policy ? [{ name: p.name, policy }] : [];
      }),
    }));
  }

  /**
   * What decides a request at the organization level: the SCPs of the principal's account and the RCPs of the resource's
   * account, level by level, as JSON. Two evaluators with the same key for a request decide it the same way. The
   * policies of a level are keyed in name order: the order policies are listed or attached in decides nothing.
   */
  public attachmentKey(request: OrgRequest): string {
    const accountId = request.accountId ?? this.accountId(request.account ?? '');
    const principalAccount = (request.principalArn ?? `arn:aws:iam::${accountId}:`).split(':')[4];
    const byName = (levels: ReturnType<OrgEvaluator['attached']>) => levels.map((l) => ({
      ...l, policies: [...l.policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    }));
    return JSON.stringify([byName(this.attached('SERVICE_CONTROL_POLICY', principalAccount)), byName(this.attached('RESOURCE_CONTROL_POLICY', request.resourceAccount ?? accountId))]);
  }

  public accountId(name: string): string {
    return accountIdOf(this.config, name);
  }

  /** The overall result (`Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`) and the Sids of the denying statements. */
  public async evaluate(request: OrgRequest): Promise<OrgDecision> {
    const accountId = request.accountId ?? this.accountId(request.account ?? '');
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
      ...(request.vpcEndpointPolicy !== undefined && { vpcEndpointPolicies: [{ name: 'endpoint', policy: request.vpcEndpointPolicy }] }),
      serviceControlPolicies: inOrg ? this.forAction(this.attached('SERVICE_CONTROL_POLICY', principalAccount), request.action).map((l) => ({
        ...l, policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, ...l.policies],
      })) : [],
      resourceControlPolicies: this.forAction(this.attached('RESOURCE_CONTROL_POLICY', resourceAccount), request.action),
      ...(request.resourcePolicy !== undefined && { resourcePolicy: request.resourcePolicy }),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') throw new Error(`simulation error for ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
    const analysis = (result as { result?: { analysis?: unknown } }).result?.analysis;
    const deniedBy = analysis ? getDenialReasons(analysis as never).map((d) => ('statementId' in d && d.statementId) || d.denialType) : [];
    return { result: result.overallResult, deniedBy: [...new Set(deniedBy)] };
  }
}

/** Whether an IAM action pattern (`service:Prefix*`, `*`, `?`) matches an action, case-insensitively as IAM does. */
function actionMatches(pattern: string, action: string): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i').test(action);
}

/**
 * The policy with only the statements that can apply to `action`, or undefined when none can. A statement without
 * `Action` or `NotAction` is kept (iam-simulate reports it as it is).
 */
function statementsFor(policy: any, action: string): unknown {
  const statements: any[] = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : [];
  const list = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String);
  const kept = statements.filter((st) => {
    if (st.Action !== undefined) return list(st.Action).some((p) => actionMatches(p, action));
    if (st.NotAction !== undefined) return !list(st.NotAction).some((p) => actionMatches(p, action));
    return true;
  });
  return kept.length > 0 ? { ...policy, Statement: kept } : undefined;
}
