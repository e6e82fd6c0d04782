import {
  AttachPolicyCommand, CreateAccountCommand, CreateOrganizationalUnitCommand, CreateOrganizationCommand, CreatePolicyCommand,
  EnablePolicyTypeCommand, ListRootsCommand, MoveAccountCommand, type PolicyType,
} from '@aws-sdk/client-organizations';
import type { SeedClients } from './seed-clients';
import { accountIdOf } from '../../../config/accounts';
import type { GovernanceConfig } from '../../../config/schema';
import { resourcesOf, type Assembly } from '../assembly';
import { VERIFIED_POLICY_TYPES } from '../facts-organizations';

/**
 * Seeds the emulated organization from the management account: the config's OUs (by path) and accounts (by name; the
 * emulator chooses their ids and the OUs', not the config), and the assembly's service and resource control policies
 * attached to their targets, which are mapped by name (root, OU path, account name) to the emulator's ids.
 */

export interface SeededOrganization {
  readonly rootId: string;
  /** The emulator's id of each config OU path. */
  readonly ouIds: ReadonlyMap<string, string>;
  /** The emulator's id of each config account name (the management account keeps its config id). */
  readonly accountIds: ReadonlyMap<string, string>;
  /** The emulator's id of each seeded policy name. */
  readonly policyIds: ReadonlyMap<string, string>;
}

export async function seedOrganization(clients: SeedClients, assembly: Assembly, config: GovernanceConfig): Promise<SeededOrganization> {
  const org = clients.organizations;
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const rootId = (await org.send(new ListRootsCommand({}))).Roots![0].Id!;
  await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
  const ouIds = new Map<string, string>();
  const byDepth = [...config.organizationalUnits].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  for (const ou of byDepth) {
    const segments = ou.path.split('/');
    const parent = segments.length === 1 ? rootId : ouIds.get(segments.slice(0, -1).join('/'));
    if (!parent) throw new Error(`OU ${ou.path}: its parent is not in the config`);
    const created = await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: segments.at(-1)! }));
    ouIds.set(ou.path, created.OrganizationalUnit!.Id!);
  }
  const management = config.topology.management;
  const accountIds = new Map<string, string>([[management, accountIdOf(config, management)]]);
  for (const account of config.accounts.filter((a) => a.name !== management)) {
    const created = await org.send(new CreateAccountCommand({ AccountName: account.name, Email: `${account.name}@example.com` }));
    const id = created.CreateAccountStatus!.AccountId!;
    accountIds.set(account.name, id);
    if (account.organizationalUnit) {
      await org.send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ouIds.get(account.organizationalUnit)! }));
    }
  }
  const emulatorId = (id: string): string => {
    if (id === config.organization.rootId) return rootId;
    const ou = config.organizationalUnits.find((o) => o.id === id);
    if (ou) return ouIds.get(ou.path)!;
    const account = config.accounts.find((a) => a.id === id);
    if (account) return accountIds.get(account.name)!;
    throw new Error(`policy target ${id} is neither the root, an OU nor an account of the config`);
  };
  const policyIds = new Map<string, string>();
  const managementId = accountIdOf(config, management);
  for (const stack of assembly.stacks.filter((s) => s.account === managementId)) {
    for (const [, props] of resourcesOf(stack.template, 'AWS::Organizations::Policy')) {
      if (!(VERIFIED_POLICY_TYPES as readonly unknown[]).includes(props.Type)) continue;
      const created = await org.send(new CreatePolicyCommand({
        Name: String(props.Name),
        Type: props.Type as PolicyType,
        Description: String(props.Description ?? props.Name),
        Content: typeof props.Content === 'string' ? props.Content : JSON.stringify(props.Content),
      }));
      const policyId = created.Policy!.PolicySummary!.Id!;
      policyIds.set(String(props.Name), policyId);
      for (const target of (props.TargetIds as string[] | undefined) ?? []) {
        await org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: emulatorId(target) }));
      }
    }
  }
  return { rootId, ouIds, accountIds, policyIds };
}
