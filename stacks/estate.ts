import type { App } from 'aws-cdk-lib';
import type { GovernanceConfig } from '../config/schema';
import { LogArchiveStack } from './log-archive/log-archive-stack';
import { ManagementStack } from './management/management-stack';
import { OrganizationGuardrailStack } from './management/organization-guardrail-stack';

/** Construct ids of the estate's stacks: a stable contract, since renaming a stack replaces it. */
export const STACK_IDS = {
  management: 'GovernanceManagement',
  logArchive: 'GovernanceLogArchive',
  /** One per governed Region: `GovernanceGuardrail-eu-central-1`. */
  guardrail: (region: string) => `GovernanceGuardrail-${region}`,
} as const;

/** The stacks of one governed organization. */
export interface Estate {
  readonly management: ManagementStack;
  readonly logArchive: LogArchiveStack;
  readonly guardrails: readonly OrganizationGuardrailStack[];
}

/**
 * Composes the estate for a config: one stack per role account in the home Region, plus the organization guardrail in
 * each governed Region. The number of stacks depends on the topology and the governed Regions, never on the number of
 * member accounts (their baseline goes out by StackSet).
 */
export function buildEstate(app: App, config: GovernanceConfig): Estate {
  const accountId = (name: string) => config.accounts.find((a) => a.name === name)!.id;
  const region = config.organization.homeRegion;
  const management = accountId(config.topology.management);
  return {
    management: new ManagementStack(app, STACK_IDS.management, {
      config,
      env: { account: management, region },
      description: 'Generative-AI governance: Organizations policies (management account)',
    }),
    guardrails: config.organization.governedRegions.map((r) => new OrganizationGuardrailStack(app, STACK_IDS.guardrail(r), {
      config,
      region: r,
      env: { account: management, region: r },
      description: `Generative-AI governance: organization guardrail and its enforcement in ${r} (management account)`,
    })),
    logArchive: new LogArchiveStack(app, STACK_IDS.logArchive, {
      config,
      env: { account: accountId(config.topology.logArchive), region },
      description: 'Generative-AI governance: Object Lock evidence archive (log-archive account)',
    }),
  };
}
