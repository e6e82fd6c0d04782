import { BootstraplessSynthesizer, Stage, cx_api as cxapi, type App, type IStackSynthesizer, type Stack } from 'aws-cdk-lib';
import type { GovernanceConfig } from '../config/schema';
import { AuditAlertsStack } from './audit/audit-alerts-stack';
import { AuditAnalyticsStack } from './audit/audit-analytics-stack';
import { DetectiveControlsStack } from './audit/detective-controls-stack';
import { MacieOrganizationStack } from './audit/macie-organization-stack';
import { LogArchiveStack } from './log-archive/log-archive-stack';
import { ManagementStack } from './management/management-stack';
import { OrganizationGuardrailStack } from './management/organization-guardrail-stack';
import { OrganizationTrailStack } from './management/organization-trail-stack';
import { accountIdOf } from '../config/accounts';
import { CLOUDFRONT_REGION, SUPPORT_CHAT_EDGE_STACK } from '../config/widget-edge';
import { sinkArnParameterOverrides } from '../contracts/oam-names';
import { guardrailParameterOverrides } from '../contracts/workload-contract';
import { ObservabilityStack } from './observability/observability-stack';
import { StackSetAdministrationStack } from './stack-set-administration-stack';
import { BaselineGlobalStack } from '../stacksets/baseline/baseline-global-stack';
import { BaselineRegionalStack } from '../stacksets/baseline/baseline-regional-stack';
import { metadataOnlyParameterOverrides } from '../stacksets/baseline/invocation-logging';
import { TenantInferenceProfilesStack } from '../stacksets/tenant-profiles/tenant-inference-profiles-stack';
import { SupportChatEdgeStack } from '../workloads/support-chat/support-chat-edge-stack';
import { SupportChatStack } from '../workloads/support-chat/support-chat-stack';

/**
 * The estate as one table: every stack declared once, with its construct id (a stable contract: renaming a stack
 * replaces it), the account and Regions it goes to, how it is made from the config, the stacks it deploys after and
 * why, and what it needs of its account's CDK bootstrap. The `Estate` type, `buildEstate`, `STACK_IDS`,
 * `STACK_RECIPES` (stacks/estate.ts), the test estate (test/support/example-estate.ts), the deploy waves
 * (stacks/deploy-plan.ts) and the generated sections of docs/deploying.md are derived from it.
 *
 * Entries are built in the order written here.
 */

/** The accounts a stack can go to. */
export type AccountRole = 'management' | 'log-archive' | 'audit' | 'stacksets-administrator' | 'tenant';

/** What every account role resolves to in a config, and how its account is bootstrapped. */
export interface AccountRoleFacts {
  /** The config key that names the account, for people. */
  readonly configKey: string;
  /** The account's name in `accounts` (throws when the config has none for the role). */
  readonly accountName: (config: GovernanceConfig) => string;
  /**
   * How the CDK bootstrap and CloudFormation act in the account:
   * - `default`: the default bootstrap template; CloudFormation acts as the bootstrap's execution role;
   * - `platform-role`: the SCPs' tamper rules apply and exempt the platform role, not the bootstrap's execution role,
   *   so CloudFormation acts as the platform role (`--role-arn`) and the bootstrap template lets the deploy role pass it;
   * - `bootstrap-as-platform-role`: the account is in a workload OU, where ORG-BOUNDARY-1 lets only exempt principals
   *   create or change roles without the workload boundary; the bootstrap's own roles carry none, so the bootstrap runs
   *   as the platform role, and the stacks deploy with the bootstrap's execution role (boundary-exempt by
   *   `principals.boundaryExemptRoleNamePatterns`).
   */
  readonly bootstrap: 'default' | 'platform-role' | 'bootstrap-as-platform-role';
  /** Its stacks' resources are evidence: tagged with the governance tag, which ORG-TAMPER-BASELINE protects by. */
  readonly holdsEvidence: boolean;
}

export const ACCOUNT_ROLES: Readonly<Record<AccountRole, AccountRoleFacts>> = {
  'management': {
    configKey: '`topology.management`',
    accountName: (c) => c.topology.management,
    bootstrap: 'default',
    holdsEvidence: false,
  },
  'log-archive': {
    configKey: '`topology.logArchive`',
    accountName: (c) => c.topology.logArchive,
    bootstrap: 'platform-role',
    holdsEvidence: true,
  },
  'audit': {
    configKey: '`topology.audit`',
    accountName: (c) => c.topology.audit,
    bootstrap: 'platform-role',
    holdsEvidence: true,
  },
  'stacksets-administrator': {
    configKey: '`baseline.delegatedAdministrator`, else the management account',
    accountName: (c) => c.baseline.delegatedAdministrator ?? c.topology.management,
    bootstrap: 'default',
    holdsEvidence: false,
  },
  'tenant': {
    configKey: '`workloads.supportChat.account`',
    accountName: (c) => {
      if (!c.workloads.supportChat) throw new Error('The tenant account is workloads.supportChat.account, and the config has no workloads.supportChat');
      return c.workloads.supportChat.account;
    },
    bootstrap: 'bootstrap-as-platform-role',
    holdsEvidence: false,
  },
};

/**
 * Where a stack goes: the home Region, every governed Region (the home Region first), the tenant's Regions, or the
 * edge: us-east-1, where CloudFront-scoped resources must be created whatever the governed Regions (a web ACL of scope
 * `CLOUDFRONT`; ORG-REGION-1 lets only the tenant's CDK bootstrap roles for that Region act there).
 */
export type RegionScope = 'home' | 'governed' | 'tenant' | 'edge';

/** What a recipe gets besides the scope and id. */
export interface EstateStackProps {
  readonly config: GovernanceConfig;
  readonly env: { readonly account: string; readonly region: string };
  readonly description: string;
  /**
   * The CloudFormation stack name, where it is not the construct id (a stack in a pipeline's Stage is named after its
   * id, as the CLI deploys it, not `<stage>-<id>`).
   * @default - from the construct path: the construct id for a stack of the app
   */
  readonly stackName?: string;
  /** @default - the app's default synthesizer */
  readonly synthesizer?: IStackSynthesizer;
}

/** A stack deploys after another: a CloudFormation stack dependency, with why. */
export interface StackDependency<K extends string> {
  readonly on: K;
  readonly reason: string;
  /** Only on the other kind's stack in the same Region as this one (and none where there is none); default every one. */
  readonly sameRegion?: boolean;
  /**
   * Only where the CLI deploys both stacks: a pipeline leaves the other stack (an edge stack) out of its waves and
   * deploys this one without the dependency; the CLI deploys the other first (docs/deploying.md). Default false.
   */
  readonly cliOnly?: boolean;
}

interface DeployedEntry<K extends string> {
  readonly account: AccountRole;
  readonly dependsOn?: readonly StackDependency<K>[];
  /** What the stack puts in its account's bootstrap asset bucket besides its template; absent when nothing. */
  readonly assets?: string;
  /** The `Estate` field, where it differs from the key. */
  readonly field?: string;
}

/** One stack in the home Region. */
export interface HomeStackEntry<K extends string> extends DeployedEntry<K> {
  readonly regions: 'home';
  readonly id: string;
  readonly description: string;
  /** The entry built before this one whose result the recipe takes (not a deploy dependency). */
  readonly input?: K;
  readonly make: (scope: Stage, id: string, props: EstateStackProps, input: never) => Stack;
}

/** One stack per Region of a scope. */
export interface RegionalStackEntry<K extends string> extends DeployedEntry<K> {
  readonly regions: 'governed' | 'tenant' | 'edge';
  readonly id: (region: string) => string;
  readonly description: (region: string) => string;
  /** When the stacks exist at all; always when absent. */
  readonly when?: { readonly text: string; readonly applies: (config: GovernanceConfig) => boolean };
  readonly make: (scope: Stage, id: string, props: EstateStackProps) => Stack;
}

/** Templates no CLI deploys (`regions: 'none'`): a Stage of member templates that StackSets roll out. */
export interface MemberTemplatesEntry {
  readonly regions: 'none';
  readonly account: 'members';
  /** The Stage's id; its assembly is `cdk.out/assembly-<id>/`. */
  readonly id: string;
  /** The member stacks' ids in the Stage, by name. */
  readonly members: Readonly<Record<string, string>>;
  /**
   * Where a member goes and when it exists, by name, for the members that do not go to every account of
   * `baseline.targetOrganizationalUnits` (docs/deploying.md).
   * @default - every member goes to every target account
   */
  readonly memberTargets?: Readonly<Record<string, string>>;
  readonly field?: string;
  readonly make: (scope: App, id: string, config: GovernanceConfig, members: never) => unknown;
}

export type EstateEntry<K extends string> = HomeStackEntry<K> | RegionalStackEntry<K> | MemberTemplatesEntry;

/** Checks every entry against the entry types, dependencies naming entries of the table, and keeps literal types. */
function estateTable<const T extends { readonly [K in keyof T]: EstateEntry<Extract<keyof T, string>> }>(table: T): T {
  return table;
}

/** StackSet names: a stable contract, renaming replaces every stack instance. */
export const STACK_SET_NAMES = {
  global: 'genai-governance-baseline-global',
  regional: 'genai-governance-baseline-regional',
  tenantProfiles: 'genai-governance-tenant-profiles-support-chat',
} as const;

/** The member baseline's templates, in their own Stage so the gates and conformance checks see them. */
export interface BaselineTemplates {
  readonly stage: Stage;
  readonly global: BaselineGlobalStack;
  readonly regional: BaselineRegionalStack;
  /** The support-chat tenant's application inference profiles (ADR 35), when the config has the tenant. */
  readonly tenantProfiles?: TenantInferenceProfilesStack;
  /** The Stage's assembly, where the StackSets read the member templates from. */
  readonly assembly: cxapi.CloudAssembly;
}

export const ESTATE_TABLE = estateTable({
  baseline: {
    regions: 'none',
    account: 'members',
    id: 'GovernanceBaseline',
    members: { global: 'Global', regional: 'Regional', tenantProfiles: 'TenantProfiles' },
    memberTargets: { tenantProfiles: 'the tenant\'s account alone (`workloads.supportChat.account`) in the tenant\'s Regions, only with `workloads.supportChat`' },
    make: (
      scope: App, id: string, config: GovernanceConfig,
      members: { readonly global: string; readonly regional: string; readonly tenantProfiles: string },
    ): BaselineTemplates => {
      const stage = new Stage(scope, id);
      // Member templates reach CloudFormation through StackSets, not the CDK toolkit: no construct-path metadata and no
      // CDKMetadata resource, so their size is the same however the app is run (the CLI turns path metadata on).
      stage.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, false);
      const global = new BaselineGlobalStack(stage, members.global, {
        config,
        synthesizer: new BootstraplessSynthesizer(),
        analyticsReporting: false,
        description: 'Generative-AI governance member baseline, account-wide part (BL-IAM-1), deployed by StackSet',
      });
      const regional = new BaselineRegionalStack(stage, members.regional, {
        config,
        synthesizer: new BootstraplessSynthesizer(),
        analyticsReporting: false,
        description: 'Generative-AI governance member baseline, regional part (BL-VPCE-1, BL-LOG-1, BL-MON-1), deployed by StackSet',
      });
      const tenantProfiles = config.workloads.supportChat ? new TenantInferenceProfilesStack(stage, members.tenantProfiles, {
        config,
        synthesizer: new BootstraplessSynthesizer(),
        analyticsReporting: false,
        description: 'Generative-AI governance: the support-chat tenant\'s application inference profiles (BR-AIP-1, ADR 35), deployed by StackSet',
      }) : undefined;
      return { stage, global, regional, tenantProfiles, assembly: stage.synth() };
    },
  },
  logArchive: {
    regions: 'home',
    account: 'log-archive',
    id: 'GovernanceLogArchive',
    description: 'Generative-AI governance: Object Lock evidence archive (log-archive account)',
    make: (scope: Stage, id: string, props: EstateStackProps) => new LogArchiveStack(scope, id, props),
  },
  auditAlerts: {
    regions: 'home',
    account: 'audit',
    id: 'GovernanceAuditAlerts',
    description: 'Generative-AI governance: baseline alarm events and notifications (audit account)',
    assets: 'the daily verification function\'s code',
    make: (scope: Stage, id: string, props: EstateStackProps) => new AuditAlertsStack(scope, id, props),
  },
  organizationTrail: {
    regions: 'home',
    account: 'management',
    id: 'GovernanceOrganizationTrail',
    description: 'Generative-AI governance: organization trail (CT-1, management account)',
    dependsOn: [
      { on: 'logArchive', reason: 'the trail delivers to the archive bucket with the archive key' },
      { on: 'observability', sameRegion: true, reason: 'the trail\'s account links to the audit account\'s sink' },
    ],
    make: (scope: Stage, id: string, props: EstateStackProps) => new OrganizationTrailStack(scope, id, props),
  },
  auditAnalytics: {
    regions: 'home',
    account: 'audit',
    id: 'GovernanceAuditAnalytics',
    description: 'Generative-AI governance: Glue tables, Lake Formation and Athena over the evidence archives (audit account)',
    dependsOn: [{ on: 'logArchive', reason: 'Lake Formation registers the archive buckets' }],
    assets: 'the account projection sync function\'s code',
    make: (scope: Stage, id: string, props: EstateStackProps) => new AuditAnalyticsStack(scope, id, props),
  },
  observability: {
    regions: 'governed',
    account: 'audit',
    id: (region: string) => `GovernanceObservability-${region}`,
    description: (region: string) => `Generative-AI governance: cross-account observability, dashboards and organization alarms in ${region} (DASH-1, audit account)`,
    make: (scope: Stage, id: string, props: EstateStackProps) => new ObservabilityStack(scope, id, props),
  },
  stackSets: {
    regions: 'home',
    account: 'stacksets-administrator',
    id: 'GovernanceBaselineStackSets',
    description: 'Generative-AI governance: member baseline StackSets (StackSets administrator account)',
    input: 'baseline',
    dependsOn: [
      { on: 'logArchive', reason: 'members replicate invocation logs into the archive' },
      { on: 'auditAlerts', reason: 'members forward alarm state changes to the audit bus' },
      { on: 'observability', reason: 'members link to the audit account\'s sinks' },
      { on: 'guardrail', reason: 'members\' workload contract reads the shared guardrail parameter' },
    ],
    assets: 'the regional member template, which the StackSet reads by TemplateURL (docs/adr/0004-quota-headroom.md)',
    make: (scope: Stage, id: string, props: EstateStackProps, baseline: BaselineTemplates) => new StackSetAdministrationStack(scope, id, {
      ...props,
      rollouts: [{
        stackSetName: STACK_SET_NAMES.global,
        description: 'Generative-AI governance member baseline, account-wide part (BL-IAM-1)',
        templateFile: baseline.assembly.getStackArtifact(baseline.global.artifactId).templateFullPath,
        regions: [props.config.organization.homeRegion],
      }, {
        stackSetName: STACK_SET_NAMES.regional,
        description: 'Generative-AI governance member baseline, regional part (BL-VPCE-1, BL-LOG-1, BL-MON-1)',
        templateFile: baseline.assembly.getStackArtifact(baseline.regional.artifactId).templateFullPath,
        regions: props.config.organization.governedRegions,
        parameterOverridesByRegion: regionParameterOverrides(props.config),
        parameterOverridesByOrganizationalUnit: metadataOnlyParameterOverrides(props.config.baseline.invocationLogging),
      }],
      tenantProfiles: baseline.tenantProfiles && {
        stackSetName: STACK_SET_NAMES.tenantProfiles,
        templateFile: baseline.assembly.getStackArtifact(baseline.tenantProfiles.artifactId).templateFullPath,
      },
    }),
  },
  management: {
    regions: 'home',
    account: 'management',
    id: 'GovernanceManagement',
    description: 'Generative-AI governance: Organizations policies and the Macie administrator (management account)',
    assets: 'the Macie administrator handler\'s code',
    make: (scope: Stage, id: string, props: EstateStackProps) => new ManagementStack(scope, id, props),
  },
  macie: {
    regions: 'governed',
    account: 'audit',
    id: (region: string) => `GovernanceMacie-${region}`,
    description: (region: string) => `Generative-AI governance: Macie for the organization in ${region} (MAC-1, audit account)`,
    dependsOn: [
      { on: 'management', reason: 'the management stack makes the audit account Macie\'s delegated administrator' },
      { on: 'auditAlerts', reason: 'Macie findings go to the audit alert bus' },
      { on: 'logArchive', sameRegion: true, reason: 'the classification job analyses the invocation-log archive (a job reads buckets of its own Region)' },
    ],
    assets: 'the Macie organization handler\'s code (and, in the home Region, the classification job handler\'s)',
    make: (scope: Stage, id: string, props: EstateStackProps) => new MacieOrganizationStack(scope, id, props),
  },
  detective: {
    regions: 'governed',
    account: 'audit',
    id: (region: string) => `GovernanceDetective-${region}`,
    description: (region: string) => `Generative-AI governance: AWS-managed detective controls in ${region}, Security Hub CSPM AI standard and the Bedrock conformance pack (DET-SH-1, DET-CFG-1, audit account)`,
    when: {
      text: 'only with `detective.securityHub` or `detective.configConformance` enabled',
      applies: (c: GovernanceConfig) => c.detective.securityHub.enabled || c.detective.configConformance.enabled,
    },
    dependsOn: [
      { on: 'management', reason: 'the management stack makes the audit account Security Hub\'s and Config\'s delegated administrator' },
      { on: 'stackSets', reason: 'the conformance pack evaluates with the recorders the member baseline creates' },
    ],
    make: (scope: Stage, id: string, props: EstateStackProps) => new DetectiveControlsStack(scope, id, props),
  },
  guardrail: {
    regions: 'governed',
    account: 'management',
    field: 'guardrails',
    id: (region: string) => `GovernanceGuardrail-${region}`,
    description: (region: string) => `Generative-AI governance: organization guardrail and its enforcement in ${region} (management account)`,
    // With account enforcement the member baseline carries the guardrail (BL-GR-1) and no Bedrock policy is written.
    when: { text: 'only with `bedrock.guardrail.enforcement: organization-policy`', applies: (c: GovernanceConfig) => c.bedrock.guardrail.enforcement !== 'account' },
    make: (scope: Stage, id: string, props: EstateStackProps) => new OrganizationGuardrailStack(scope, id, props),
  },
  supportChatEdge: {
    regions: 'edge',
    account: 'tenant',
    id: () => SUPPORT_CHAT_EDGE_STACK,
    description: (region: string) => `Support-chat tenant's edge in ${region}: the CLOUDFRONT web ACL of the widget's distribution (workload account)`,
    when: { text: 'only with `workloads.supportChat.widget`', applies: (c: GovernanceConfig) => c.workloads.supportChat?.widget !== undefined },
    make: (scope: Stage, id: string, props: EstateStackProps) => new SupportChatEdgeStack(scope, id, props),
  },
  supportChat: {
    regions: 'tenant',
    account: 'tenant',
    id: (region: string) => `SupportChat-${region}`,
    description: (region: string) => `Support-chat tenant in ${region}: authenticated WebSocket chat on Bedrock inside the governance (workload account)`,
    dependsOn: [
      { on: 'stackSets', reason: 'the tenant reads the workload contract the baseline publishes' },
      { on: 'supportChatEdge', reason: 'the widget\'s distribution in the first Region looks up the edge stack\'s web ACL', cliOnly: true },
    ],
    assets: 'the tenant\'s function code',
    make: (scope: Stage, id: string, props: EstateStackProps) => new SupportChatStack(scope, id, props),
  },
});

/** Each Region's member template parameters: the audit account's sink and, with organization enforcement, the management account's guardrail. */
function regionParameterOverrides(config: GovernanceConfig): Record<string, Record<string, string>> {
  const sink = sinkArnParameterOverrides(config, accountIdOf(config, config.topology.audit));
  const guardrail = guardrailParameterOverrides(config, accountIdOf(config, config.topology.management));
  return Object.fromEntries(Object.entries(sink).map(([region, overrides]) => [region, { ...overrides, ...guardrail[region] }]));
}

export type EstateTable = typeof ESTATE_TABLE;
export type EstateKey = keyof EstateTable;
/** The keys of the stacks the CLI deploys (every entry but the member templates). */
export type DeployedKey = { [K in EstateKey]: EstateTable[K] extends MemberTemplatesEntry ? never : K }[EstateKey];

/** The entries in table order, with their keys. */
export function estateEntries(): [EstateKey, EstateEntry<EstateKey>][] {
  return Object.entries(ESTATE_TABLE) as [EstateKey, EstateEntry<EstateKey>][];
}

/** The `Estate` field of an entry. */
export function fieldOf(key: EstateKey): string {
  return (ESTATE_TABLE[key] as EstateEntry<EstateKey>).field ?? key;
}

/** The governed Regions, the home Region first: the order of the per-Region stacks. */
export function homeRegionFirst(config: GovernanceConfig): string[] {
  const home = config.organization.homeRegion;
  return [home, ...config.organization.governedRegions.filter((r) => r !== home)];
}

/** The Regions an entry has a stack in for a config, in build order (none for the member templates). */
export function regionsOf(entry: EstateEntry<EstateKey>, config: GovernanceConfig): string[] {
  switch (entry.regions) {
    case 'none': return [];
    case 'home': return [config.organization.homeRegion];
    case 'governed': return entry.when && !entry.when.applies(config) ? [] : homeRegionFirst(config);
    case 'tenant': return entry.when && !entry.when.applies(config) ? [] : [...(config.workloads.supportChat?.regions ?? [])];
    case 'edge': return entry.when && !entry.when.applies(config) ? [] : [CLOUDFRONT_REGION];
  }
}

/** The construct id of an entry's stack in a Region (the Stage's id for the member templates). */
export function stackIdOf(entry: EstateEntry<EstateKey>, region: string): string {
  return typeof entry.id === 'function' ? entry.id(region) : entry.id;
}

/** An entry's declared dependencies (none for the member templates). */
export function dependenciesOf(entry: EstateEntry<EstateKey>): readonly StackDependency<EstateKey>[] {
  return entry.regions === 'none' ? [] : entry.dependsOn ?? [];
}

/** The account id of an account role in a config. */
export function accountOfRole(role: AccountRole, config: GovernanceConfig): string {
  return accountIdOf(config, ACCOUNT_ROLES[role].accountName(config));
}
