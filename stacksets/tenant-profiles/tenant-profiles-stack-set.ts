import { Construct } from 'constructs';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { ServiceManagedStackSet } from '../rollout/service-managed-stack-set';

/** Properties of `TenantProfilesStackSet`. */
export interface TenantProfilesStackSetProps {
  readonly config: GovernanceConfig;
  /** StackSet name; stable, because renaming replaces the stack instances. */
  readonly stackSetName: string;
  /** The synthesized `TenantInferenceProfilesStack` template (a `BootstraplessSynthesizer` stack). */
  readonly templateFile: string;
}

/**
 * The service-managed StackSet that deploys the support-chat tenant's application inference profiles
 * (`TenantInferenceProfilesStack`) to the tenant's account alone, in each of the tenant's Regions: its OU as deployment
 * target with the account as an `INTERSECTION` filter, and no auto-deployment (an account joining that OU later is
 * not the tenant's). Its stack instances run as the account's `stacksets-exec-*` role, the one workload-account
 * principal BR-AIP-1 lets create an application profile.
 */
export class TenantProfilesStackSet extends Construct {
  public readonly stackSet: ServiceManagedStackSet;

  constructor(scope: Construct, id: string, props: TenantProfilesStackSetProps) {
    super(scope, id);
    const { config } = props;
    const tenant = config.workloads.supportChat;
    if (!tenant) throw new Error('TenantProfilesStackSet: the config has no workloads.supportChat tenant');
    const accountId = accountIdOf(config, tenant.account);
    const ouPath = config.accounts.find((a) => a.name === tenant.account)!.organizationalUnit;
    const ouId = config.organizationalUnits.find((o) => o.path === ouPath)?.id;
    if (!ouId) throw new Error(`TenantProfilesStackSet: the tenant's account ${tenant.account} is in no configured OU (service-managed StackSets target OUs)`);
    this.stackSet = new ServiceManagedStackSet(this, 'StackSet', {
      stackSetName: props.stackSetName,
      description: 'Generative-AI governance: the support-chat tenant\'s application inference profiles (BR-AIP-1, ADR 35)',
      templateFile: props.templateFile,
      organizationalUnitIds: [ouId],
      regions: tenant.regions,
      callAs: config.baseline.delegatedAdministrator ? 'DELEGATED_ADMIN' : 'SELF',
      // Named accounts: the OU narrowed to the tenant's account, and an account joining that OU later is not the tenant's.
      accountFilter: { type: 'INTERSECTION', accounts: [accountId] },
      autoDeployment: false,
      retainStacksOnAccountRemoval: false,
      operationPreferences: config.baseline.operationPreferences,
    });
  }
}
