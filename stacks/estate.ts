import { BootstraplessSynthesizer, Stage, cx_api as cxapi, type App } from 'aws-cdk-lib';
import { accountIdOf } from '../config/accounts';
import type { GovernanceConfig } from '../config/schema';
import { AuditAlertsStack } from './audit/audit-alerts-stack';
import { AuditAnalyticsStack } from './audit/audit-analytics-stack';
import { MacieOrganizationStack } from './audit/macie-organization-stack';
import { LogArchiveStack } from './log-archive/log-archive-stack';
import { ManagementStack } from './management/management-stack';
import { OrganizationGuardrailStack } from './management/organization-guardrail-stack';
import { OrganizationTrailStack } from './management/organization-trail-stack';
import { sinkArnParameterOverrides } from '../contracts/oam-names';
import { ObservabilityStack } from './observability/observability-stack';
import { StackSetAdministrationStack } from './stack-set-administration-stack';
import { BaselineGlobalStack } from '../stacksets/baseline/baseline-global-stack';
import { BaselineRegionalStack } from '../stacksets/baseline/baseline-regional-stack';

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
}

/**
 * Composes the estate for a config: one stack per role account in the home Region, plus the organization guardrail in
 * each governed Region. The number of stacks depends on the topology and the governed Regions, never on the number of
 * member accounts (their baseline goes out by StackSet).
 */
export function buildEstate(app: App, config: GovernanceConfig): Estate {
  const accountId = (name: string) => accountIdOf(config, name);
  const region = config.organization.homeRegion;
  const management = accountId(config.topology.management);

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
  const memberTemplates = stage.synth();

  const logArchive = new LogArchiveStack(app, STACK_IDS.logArchive, {
    config,
    env: { account: accountId(config.topology.logArchive), region },
    description: 'Generative-AI governance: Object Lock evidence archive (log-archive account)',
  });
  const auditAlerts = new AuditAlertsStack(app, STACK_IDS.auditAlerts, {
    config,
    env: { account: accountId(config.topology.audit), region },
    description: 'Generative-AI governance: baseline alarm events and notifications (audit account)',
  });
  const organizationTrail = new OrganizationTrailStack(app, STACK_IDS.organizationTrail, {
    config,
    env: { account: management, region },
    description: 'Generative-AI governance: organization trail (CT-1, management account)',
  });
  const auditAnalytics = new AuditAnalyticsStack(app, STACK_IDS.auditAnalytics, {
    config,
    env: { account: accountId(config.topology.audit), region },
    description: 'Generative-AI governance: Glue tables, Lake Formation and Athena over the evidence archives (audit account)',
  });
  auditAnalytics.addStackDependency(logArchive, 'Lake Formation registers the archive buckets');
  // Deploy order across accounts: the archive and the alert bus exist before anything delivers to them.
  organizationTrail.addStackDependency(logArchive, 'the trail delivers to the archive bucket with the archive key');

  const homeFirst = [region, ...config.organization.governedRegions.filter((r) => r !== region)];
  const observability = homeFirst.map((r) => new ObservabilityStack(app, STACK_IDS.observability(r), {
    config,
    region: r,
    env: { account: accountId(config.topology.audit), region: r },
    description: `Generative-AI governance: cross-account observability, dashboards and organization alarms in ${r} (DASH-1, audit account)`,
  }));
  organizationTrail.addStackDependency(observability[0], 'the trail\'s account links to the audit account\'s sink');

  const baselineStackSets = new StackSetAdministrationStack(app, STACK_IDS.stackSets, {
    config,
    env: { account: accountId(config.baseline.delegatedAdministrator ?? config.topology.management), region },
    description: 'Generative-AI governance: member baseline StackSets (StackSets administrator account)',
    rollouts: [{
      stackSetName: STACK_SET_NAMES.global,
      description: 'Generative-AI governance member baseline, account-wide part (BL-IAM-1)',
      templateFile: memberTemplates.getStackArtifact(global.artifactId).templateFullPath,
      regions: [region],
    }, {
      stackSetName: STACK_SET_NAMES.regional,
      description: 'Generative-AI governance member baseline, regional part (BL-VPCE-1, BL-LOG-1, BL-MON-1)',
      templateFile: memberTemplates.getStackArtifact(regional.artifactId).templateFullPath,
      regions: config.organization.governedRegions,
      parameterOverridesByRegion: sinkArnParameterOverrides(config, accountId(config.topology.audit)),
    }],
  });
  baselineStackSets.addStackDependency(logArchive, 'members replicate invocation logs into the archive');
  baselineStackSets.addStackDependency(auditAlerts, 'members forward alarm state changes to the audit bus');
  for (const o of observability) baselineStackSets.addStackDependency(o, 'members link to the audit account\'s sinks');

  const managementStack = new ManagementStack(app, STACK_IDS.management, {
    config,
    env: { account: management, region },
    description: 'Generative-AI governance: Organizations policies and the Macie administrator (management account)',
  });
  const macie = homeFirst.map((r) => {
    const stack = new MacieOrganizationStack(app, STACK_IDS.macie(r), {
      config,
      region: r,
      env: { account: accountId(config.topology.audit), region: r },
      description: `Generative-AI governance: Macie for the organization in ${r} (MAC-1, audit account)`,
    });
    stack.addStackDependency(managementStack, 'the management stack makes the audit account Macie\'s delegated administrator');
    stack.addStackDependency(auditAlerts, 'Macie findings go to the audit alert bus');
    if (r === region) stack.addStackDependency(logArchive, 'the classification job analyses the invocation-log archive');
    return stack;
  });

  return {
    baseline: { stage, global, regional },
    stackSets: baselineStackSets,
    management: managementStack,
    macie,
    observability,
    // With account enforcement the member baseline carries the guardrail (BL-GR-1) and no Bedrock policy is written.
    guardrails: config.bedrock.guardrail.enforcement === 'account' ? [] : config.organization.governedRegions.map((r) => new OrganizationGuardrailStack(app, STACK_IDS.guardrail(r), {
      config,
      region: r,
      env: { account: management, region: r },
      description: `Generative-AI governance: organization guardrail and its enforcement in ${r} (management account)`,
    })),
    auditAlerts,
    logArchive,
    organizationTrail,
    auditAnalytics,
  };
}
