import { BootstraplessSynthesizer, Stage, Tags, cx_api as cxapi, type App, type Stack } from 'aws-cdk-lib';
import { accountIdOf } from '../config/accounts';
import type { GovernanceConfig } from '../config/schema';
import { AuditAlertsStack } from './audit/audit-alerts-stack';
import { AuditAnalyticsStack } from './audit/audit-analytics-stack';
import { MacieOrganizationStack } from './audit/macie-organization-stack';
import { LogArchiveStack } from './log-archive/log-archive-stack';
import { ManagementStack } from './management/management-stack';
import { OrganizationGuardrailStack } from './management/organization-guardrail-stack';
import { OrganizationTrailStack } from './management/organization-trail-stack';
import { GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../contracts/governance-names';
import { sinkArnParameterOverrides } from '../contracts/oam-names';
import { guardrailParameterOverrides } from '../contracts/workload-contract';
import { ObservabilityStack } from './observability/observability-stack';
import { StackSetAdministrationStack } from './stack-set-administration-stack';
import { BaselineGlobalStack } from '../stacksets/baseline/baseline-global-stack';
import { BaselineRegionalStack } from '../stacksets/baseline/baseline-regional-stack';
import { SupportChatStack } from '../workloads/support-chat/support-chat-stack';

/** Construct ids of the estate's stacks: a stable contract, since renaming a stack replaces it. */
export const STACK_IDS = {
  management: 'GovernanceManagement',
  logArchive: 'GovernanceLogArchive',
  auditAlerts: 'GovernanceAuditAlerts',
  organizationTrail: 'GovernanceOrganizationTrail',
  auditAnalytics: 'GovernanceAuditAnalytics',
  /** One per governed Region: `GovernanceGuardrail-eu-central-1`. */
  guardrail: (region: string) => `GovernanceGuardrail-${region}`,
  /** DASH-1 in the audit account, one per governed Region: `GovernanceObservability-eu-central-1`. */
  observability: (region: string) => `GovernanceObservability-${region}`,
  /** MAC-1 in the audit account, one per governed Region: `GovernanceMacie-eu-central-1`. */
  macie: (region: string) => `GovernanceMacie-${region}`,
  stackSets: 'GovernanceBaselineStackSets',
  /** The support-chat tenant, one per Region of `workloads.supportChat.regions`: `SupportChat-eu-central-1`. */
  supportChat: (region: string) => `SupportChat-${region}`,
  /** The Stage holding the member templates (synthesized to `cdk.out/assembly-GovernanceBaseline/`, never deployed directly). */
  baselineStage: 'GovernanceBaseline',
  baselineGlobal: 'Global',
  baselineRegional: 'Regional',
} as const;

/** StackSet names: a stable contract, renaming replaces every stack instance. */
export const STACK_SET_NAMES = { global: 'genai-governance-baseline-global', regional: 'genai-governance-baseline-regional' } as const;

/** The stacks of one governed organization. */
export interface Estate {
  readonly management: ManagementStack;
  readonly logArchive: LogArchiveStack;
  readonly auditAlerts: AuditAlertsStack;
  readonly organizationTrail: OrganizationTrailStack;
  readonly auditAnalytics: AuditAnalyticsStack;
  /** BR-GR-1 per governed Region; none with `bedrock.guardrail.enforcement: account`. */
  readonly guardrails: readonly OrganizationGuardrailStack[];
  /** DASH-1 per governed Region (the home Region's first). */
  readonly observability: readonly ObservabilityStack[];
  /** MAC-1's organization configuration per governed Region (the first is the home Region's, with the classification job). */
  readonly macie: readonly MacieOrganizationStack[];
  /** The member baseline's templates, in their own Stage so the gates and conformance checks see them. */
  readonly baseline: { readonly stage: Stage; readonly global: BaselineGlobalStack; readonly regional: BaselineRegionalStack };
  readonly stackSets: StackSetAdministrationStack;
  /** The support-chat tenant per Region; none without `workloads.supportChat`. */
  readonly supportChat: readonly SupportChatStack[];
}

/** The member baseline's templates, in their own Stage so the gates and conformance checks see them. */
export interface BaselineTemplates {
  readonly stage: Stage;
  readonly global: BaselineGlobalStack;
  readonly regional: BaselineRegionalStack;
  /** The Stage's assembly, where the StackSets read the member templates from. */
  readonly assembly: cxapi.CloudAssembly;
}

/**
 * Tags every resource of a stack in an account that holds evidence (log archive, audit) with the governance tag, as
 * the baseline and the trail stack are: the SCPs apply in those accounts, and ORG-TAMPER-BASELINE protects keys,
 * topics and alarms by the tag.
 */
function evidenceStack<T extends Stack>(stack: T): T {
  Tags.of(stack).add(GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE);
  return stack;
}

/**
 * How each stack of the estate is made from the config: the composition root's recipes (account, Region, id and
 * description), without the dependencies between stacks, which {@link buildEstate} adds. A test of one stack under a
 * config variant builds just that stack with its recipe.
 */
export const STACK_RECIPES = {
  baseline(app: App, config: GovernanceConfig): BaselineTemplates {
    const stage = new Stage(app, STACK_IDS.baselineStage);
    // Member templates reach CloudFormation through StackSets, not the CDK toolkit: no construct-path metadata and no
    // CDKMetadata resource, so their size is the same however the app is run (the CLI turns path metadata on).
    stage.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, false);
    const global = new BaselineGlobalStack(stage, STACK_IDS.baselineGlobal, {
      config,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      description: 'Generative-AI governance member baseline, account-wide part (BL-IAM-1), deployed by StackSet',
    });
    const regional = new BaselineRegionalStack(stage, STACK_IDS.baselineRegional, {
      config,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      description: 'Generative-AI governance member baseline, regional part (BL-VPCE-1, BL-LOG-1, BL-MON-1), deployed by StackSet',
    });
    return { stage, global, regional, assembly: stage.synth() };
  },
  logArchive: (app: App, config: GovernanceConfig) => evidenceStack(new LogArchiveStack(app, STACK_IDS.logArchive, {
    config,
    env: { account: accountIdOf(config, config.topology.logArchive), region: config.organization.homeRegion },
    description: 'Generative-AI governance: Object Lock evidence archive (log-archive account)',
  })),
  auditAlerts: (app: App, config: GovernanceConfig) => evidenceStack(new AuditAlertsStack(app, STACK_IDS.auditAlerts, {
    config,
    env: { account: accountIdOf(config, config.topology.audit), region: config.organization.homeRegion },
    description: 'Generative-AI governance: baseline alarm events and notifications (audit account)',
  })),
  organizationTrail: (app: App, config: GovernanceConfig) => new OrganizationTrailStack(app, STACK_IDS.organizationTrail, {
    config,
    env: { account: accountIdOf(config, config.topology.management), region: config.organization.homeRegion },
    description: 'Generative-AI governance: organization trail (CT-1, management account)',
  }),
  auditAnalytics: (app: App, config: GovernanceConfig) => evidenceStack(new AuditAnalyticsStack(app, STACK_IDS.auditAnalytics, {
    config,
    env: { account: accountIdOf(config, config.topology.audit), region: config.organization.homeRegion },
    description: 'Generative-AI governance: Glue tables, Lake Formation and Athena over the evidence archives (audit account)',
  })),
  observability: (app: App, config: GovernanceConfig, region: string) => evidenceStack(new ObservabilityStack(app, STACK_IDS.observability(region), {
    config,
    env: { account: accountIdOf(config, config.topology.audit), region },
    description: `Generative-AI governance: cross-account observability, dashboards and organization alarms in ${region} (DASH-1, audit account)`,
  })),
  stackSets: (app: App, config: GovernanceConfig, baseline: BaselineTemplates) => new StackSetAdministrationStack(app, STACK_IDS.stackSets, {
    config,
    env: {
      account: accountIdOf(config, config.baseline.delegatedAdministrator ?? config.topology.management),
      region: config.organization.homeRegion,
    },
    description: 'Generative-AI governance: member baseline StackSets (StackSets administrator account)',
    rollouts: [{
      stackSetName: STACK_SET_NAMES.global,
      description: 'Generative-AI governance member baseline, account-wide part (BL-IAM-1)',
      templateFile: baseline.assembly.getStackArtifact(baseline.global.artifactId).templateFullPath,
      regions: [config.organization.homeRegion],
    }, {
      stackSetName: STACK_SET_NAMES.regional,
      description: 'Generative-AI governance member baseline, regional part (BL-VPCE-1, BL-LOG-1, BL-MON-1)',
      templateFile: baseline.assembly.getStackArtifact(baseline.regional.artifactId).templateFullPath,
      regions: config.organization.governedRegions,
      parameterOverridesByRegion: regionParameterOverrides(config),
    }],
  }),
  management: (app: App, config: GovernanceConfig) => new ManagementStack(app, STACK_IDS.management, {
    config,
    env: { account: accountIdOf(config, config.topology.management), region: config.organization.homeRegion },
    description: 'Generative-AI governance: Organizations policies and the Macie administrator (management account)',
  }),
  macie: (app: App, config: GovernanceConfig, region: string) => evidenceStack(new MacieOrganizationStack(app, STACK_IDS.macie(region), {
    config,
    env: { account: accountIdOf(config, config.topology.audit), region },
    description: `Generative-AI governance: Macie for the organization in ${region} (MAC-1, audit account)`,
  })),
  supportChat: (app: App, config: GovernanceConfig, region: string) => new SupportChatStack(app, STACK_IDS.supportChat(region), {
    config,
    region,
    env: { account: accountIdOf(config, config.workloads.supportChat!.account), region },
    description: `Support-chat tenant in ${region}: authenticated WebSocket chat on Bedrock inside the governance (workload account)`,
  }),
  guardrail: (app: App, config: GovernanceConfig, region: string) => new OrganizationGuardrailStack(app, STACK_IDS.guardrail(region), {
    config,
    env: { account: accountIdOf(config, config.topology.management), region },
    description: `Generative-AI governance: organization guardrail and its enforcement in ${region} (management account)`,
  }),
} as const;

/** Each Region's member template parameters: the audit account's sink and, with organization enforcement, the management account's guardrail. */
function regionParameterOverrides(config: GovernanceConfig): Record<string, Record<string, string>> {
  const sink = sinkArnParameterOverrides(config, accountIdOf(config, config.topology.audit));
  const guardrail = guardrailParameterOverrides(config, accountIdOf(config, config.topology.management));
  return Object.fromEntries(Object.entries(sink).map(([region, overrides]) => [region, { ...overrides, ...guardrail[region] }]));
}

/** The governed Regions, the home Region first: the order of the per-Region audit stacks. */
export function homeRegionFirst(config: GovernanceConfig): string[] {
  const home = config.organization.homeRegion;
  return [home, ...config.organization.governedRegions.filter((r) => r !== home)];
}

/**
 * Composes the estate for a config: one stack per role account in the home Region, plus the organization guardrail in
 * each governed Region. The number of stacks depends on the topology and the governed Regions, never on the number of
 * member accounts (their baseline goes out by StackSet).
 */
export function buildEstate(app: App, config: GovernanceConfig): Estate {
  const region = config.organization.homeRegion;
  const baseline = STACK_RECIPES.baseline(app, config);
  const logArchive = STACK_RECIPES.logArchive(app, config);
  const auditAlerts = STACK_RECIPES.auditAlerts(app, config);
  const organizationTrail = STACK_RECIPES.organizationTrail(app, config);
  const auditAnalytics = STACK_RECIPES.auditAnalytics(app, config);
  auditAnalytics.addStackDependency(logArchive, 'Lake Formation registers the archive buckets');
  // Deploy order across accounts: the archive and the alert bus exist before anything delivers to them.
  organizationTrail.addStackDependency(logArchive, 'the trail delivers to the archive bucket with the archive key');

  const homeFirst = homeRegionFirst(config);
  const observability = homeFirst.map((r) => STACK_RECIPES.observability(app, config, r));
  organizationTrail.addStackDependency(observability[0], 'the trail\'s account links to the audit account\'s sink');

  const baselineStackSets = STACK_RECIPES.stackSets(app, config, baseline);
  baselineStackSets.addStackDependency(logArchive, 'members replicate invocation logs into the archive');
  baselineStackSets.addStackDependency(auditAlerts, 'members forward alarm state changes to the audit bus');
  for (const o of observability) baselineStackSets.addStackDependency(o, 'members link to the audit account\'s sinks');

  const managementStack = STACK_RECIPES.management(app, config);
  const macie = homeFirst.map((r) => {
    const stack = STACK_RECIPES.macie(app, config, r);
    stack.addStackDependency(managementStack, 'the management stack makes the audit account Macie\'s delegated administrator');
    stack.addStackDependency(auditAlerts, 'Macie findings go to the audit alert bus');
    if (r === region) stack.addStackDependency(logArchive, 'the classification job analyses the invocation-log archive');
    return stack;
  });

  // With account enforcement the member baseline carries the guardrail (BL-GR-1) and no Bedrock policy is written.
  const guardrails = config.bedrock.guardrail.enforcement === 'account' ? [] : config.organization.governedRegions.map((r) => STACK_RECIPES.guardrail(app, config, r));
  for (const g of guardrails) baselineStackSets.addStackDependency(g, 'members\' workload contract reads the shared guardrail parameter');
  const supportChat = (config.workloads.supportChat?.regions ?? []).map((r) => {
    const stack = STACK_RECIPES.supportChat(app, config, r);
    stack.addStackDependency(baselineStackSets, 'the tenant reads the workload contract the baseline publishes');
    return stack;
  });

  return {
    baseline: { stage: baseline.stage, global: baseline.global, regional: baseline.regional },
    stackSets: baselineStackSets,
    management: managementStack,
    macie,
    observability,
    guardrails,
    supportChat,
    auditAlerts,
    logArchive,
    organizationTrail,
    auditAnalytics,
  };
}
