import {
  DescribePolicyCommand, ListRootsCommand, OrganizationsServiceException, paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent, paginateListPolicies, paginateListRoots, paginateListTargetsForPolicy,
  type OrganizationsClient, type PolicyType,
} from '@aws-sdk/client-organizations';
import { SNAPSHOT_POLICY_TYPES, SNAPSHOT_SCHEMA_VERSION, validateSnapshot, type Snapshot, type SnapshotPolicy, type SnapshotPolicyType } from './snapshot-schema';

/** Collects every page of a paginator. */
async function all<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

/**
 * Whether an error says the endpoint does not offer a policy type (an endpoint that predates it, or an emulator):
 * Organizations answers `InvalidInputException` for a filter it does not know, and `PolicyTypeNotEnabledException` /
 * `PolicyTypeNotAvailableForOrganizationException` for a type not enabled.
 */
function unsupportedType(e: unknown): e is OrganizationsServiceException {
  return e instanceof OrganizationsServiceException && ['InvalidInputException', 'PolicyTypeNotEnabledException',
    'PolicyTypeNotAvailableForOrganizationException'].includes(e.name);
}

export interface SnapshotOptions {
  /** The time recorded as `takenAt`. @default now */
  readonly now?: Date;
  /** The endpoint recorded as `endpoint`. @default none (AWS) */
  readonly endpoint?: string;
  /** `MaxResults` of every list call. @default the service's */
  readonly pageSize?: number;
}

/**
 * Reads the organization's tree (roots, OUs recursively, accounts) and every policy of the snapshot's types with its
 * targets, all paginated. A type the endpoint refuses is recorded as `unsupported` with the error, not left out
 * silently; any other error propagates (the command then writes nothing).
 */
export async function takeSnapshot(client: OrganizationsClient, options: SnapshotOptions = {}): Promise<Snapshot> {
  const paging = { client, ...(options.pageSize !== undefined && { pageSize: options.pageSize }) };
  await client.send(new ListRootsCommand({ MaxResults: 1 })); // fails early and clearly without an organization or access
  const roots = await all(paginateListRoots(paging, {}), (p) => p.Roots);
  const organizationalUnits: Snapshot['organization']['organizationalUnits'] = [];
  const accounts: Snapshot['organization']['accounts'] = [];
  const queue = roots.map((r) => r.Id!);
  while (queue.length > 0) {
    const parentId = queue.shift()!;
    for (const ou of await all(paginateListOrganizationalUnitsForParent(paging, { ParentId: parentId }), (p) => p.OrganizationalUnits)) {
      organizationalUnits.push({ id: ou.Id!, name: ou.Name ?? '', parentId });
      queue.push(ou.Id!);
    }
    for (const account of await all(paginateListAccountsForParent(paging, { ParentId: parentId }), (p) => p.Accounts)) {
      accounts.push({ id: account.Id!, name: account.Name ?? '', parentId });
    }
  }

  const policyTypes = {} as Record<SnapshotPolicyType, Snapshot['policyTypes'][SnapshotPolicyType]>;
  const policies: SnapshotPolicy[] = [];
  for (const type of SNAPSHOT_POLICY_TYPES) {
    let summaries;
    try {
      summaries = await all(paginateListPolicies(paging, { Filter: type as PolicyType }), (p) => p.Policies);
    } catch (e) {
      if (!unsupportedType(e)) throw e;
      policyTypes[type] = { status: 'unsupported', message: `${e.name}: ${e.message}` };
      continue;
    }
    policyTypes[type] = { status: 'read' };
    for (const summary of summaries) {
      const described = await client.send(new DescribePolicyCommand({ PolicyId: summary.Id! }));
      const text = described.Policy?.Content ?? '';
      let content: Record<string, unknown>;
      try {
        content = JSON.parse(text) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`policy ${summary.Id} (${summary.Name}): its content is not JSON: ${(e as Error).message}`);
      }
      const targets = await all(paginateListTargetsForPolicy(paging, { PolicyId: summary.Id! }), (p) => p.Targets);
      policies.push({
        id: summary.Id!,
        name: summary.Name ?? '',
        type,
        awsManaged: summary.AwsManaged ?? false,
        content,
        targetIds: targets.map((t) => t.TargetId!).sort(),
      });
    }
  }
  const snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    takenAt: (options.now ?? new Date()).toISOString(),
    ...(options.endpoint && { endpoint: options.endpoint }),
    organization: { roots: roots.map((r) => ({ id: r.Id!, name: r.Name ?? '' })), organizationalUnits, accounts },
    policyTypes,
    policies,
  };
  return validateSnapshot(snapshot, 'the snapshot just read');
}
