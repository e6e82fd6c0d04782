import {
  DescribeOrganizationalUnitCommand, DescribePolicyCommand, ListParentsCommand, ListTargetsForPolicyCommand,
  paginateListPolicies, type PolicyTargetSummary,
} from '@aws-sdk/client-organizations';
import type { AccountSession } from './account-session';
import type { Fact } from './fact';
import { statementsOf, type Statement } from './facts-organizations';

/**
 * Reads the organization's policies from the management account: each policy by name (ListPolicies, DescribePolicy),
 * its statements per control, and its targets by name (the root, an OU's path from its parents, an account's name).
 */

async function policyIdByName(session: AccountSession, name: string): Promise<string | undefined> {
  const byName = await session.once('organizations:ListPolicies', async () => {
    const ids = new Map<string, string>();
    for (const type of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const) {
      for await (const page of paginateListPolicies({ client: session.organizations }, { Filter: type })) {
        for (const p of page.Policies ?? []) if (p.Name && p.Id) ids.set(p.Name, p.Id);
      }
    }
    return ids;
  });
  return byName.get(name);
}

async function policyStatements(session: AccountSession, id: string): Promise<Statement[]> {
  return session.once(`organizations:DescribePolicy ${id}`, async () => {
    const answer = await session.organizations.send(new DescribePolicyCommand({ PolicyId: id }));
    const content = JSON.parse(answer.Policy?.Content ?? '{}') as { Statement?: Statement | Statement[] };
    return Array.isArray(content.Statement) ? content.Statement : content.Statement ? [content.Statement] : [];
  });
}

/** The statements of the fact's control in the live policy; null when no policy has the name. */
export async function readPolicyStatements(session: AccountSession, fact: Fact, controlIds: readonly string[]): Promise<unknown> {
  const id = await policyIdByName(session, fact.subject);
  if (!id) return null;
  return statementsOf(await policyStatements(session, id), fact.control, controlIds);
}

/** An OU's path of names from the root (`Workloads/Prod`). */
async function ouPath(session: AccountSession, id: string): Promise<string> {
  return session.once(`organizations:ou-path ${id}`, async () => {
    const names: string[] = [];
    let current = id;
    for (let depth = 0; depth < 6 && current.startsWith('ou-'); depth++) {
      const ou = await session.organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: current }));
      names.unshift(ou.OrganizationalUnit?.Name ?? current);
      const parents = await session.organizations.send(new ListParentsCommand({ ChildId: current }));
      current = parents.Parents?.[0]?.Id ?? '';
    }
    return names.join('/');
  });
}

async function targetName(session: AccountSession, target: PolicyTargetSummary): Promise<string> {
  switch (target.Type) {
    case 'ROOT': return 'root';
    case 'ORGANIZATIONAL_UNIT': return ouPath(session, target.TargetId!);
    case 'ACCOUNT': return `account:${target.Name ?? target.TargetId}`;
    default: return target.TargetId ?? 'unknown target';
  }
}

/** The live policy's targets by name, sorted; null when no policy has the name. */
export async function readPolicyTargets(session: AccountSession, fact: Fact): Promise<unknown> {
  const id = await policyIdByName(session, fact.subject);
  if (!id) return null;
  const targets: PolicyTargetSummary[] = [];
  let token: string | undefined;
  do {
    const page = await session.organizations.send(new ListTargetsForPolicyCommand({ PolicyId: id, NextToken: token }));
    targets.push(...page.Targets ?? []);
    token = page.NextToken;
  } while (token);
  const names: string[] = [];
  for (const t of targets) names.push(await targetName(session, t));
  return names.sort();
}
