import type { App } from 'aws-cdk-lib';
import type { GovernanceConfig } from '../config/schema';
import { LogArchiveStack } from './log-archive/log-archive-stack';
import { ManagementStack } from './management/management-stack';

/** Construct ids of the estate's stacks: a stable contract, since renaming a stack replaces it. */
export const STACK_IDS = {
  management: 'GovernanceManagement',
  logArchive: 'GovernanceLogArchive',
} as const;

/** The stacks of one governed organization. */
export interface Estate {
  readonly management: ManagementStack;
  readonly logArchive: LogArchiveStack;
}

/**
 * Composes the estate for a config: one stack per role account, in the home Region. The number of stacks depends on
 * the topology only, never on the number of member accounts (their baseline goes out by StackSet).
 */
export function buildEstate(app: App, config: GovernanceConfig): Estate {
  const accountId = (name: string) => config.accounts.find((a) => a.name === name)!.id;
  const region = config.organization.homeRegion;
  return {
    management: new ManagementStack(app, STACK_IDS.management, {
      config,
      env: { account: accountId(config.topology.management), region },
      description: 'Generative-AI governance: Organizations policies (management account)',
    }),
    logArchive: new LogArchiveStack(app, STACK_IDS.logArchive, {
      config,
      env: { account: accountId(config.topology.logArchive), region },
      description: 'Generative-AI governance: Object Lock evidence archive (log-archive account)',
    }),
  };
}
