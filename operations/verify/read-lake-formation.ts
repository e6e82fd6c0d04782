import { GetDataLakeSettingsCommand, GetResourceLFTagsCommand, paginateListPermissions, type PrincipalResourcePermissions, type Resource } from '@aws-sdk/client-lakeformation';
import type { AccountSession } from './account-session';
import { canonical, type Fact } from './fact';
import { defaultPermissionShapes, tagShapes, type DataLakeSettingsShape, type LakeFormationResource, type TagShape } from './facts-lake-formation';

/**
 * LF-1: the LF-tags a database, table or set of columns carries (`GetResourceLFTags`, only the tags assigned to it,
 * not those it inherits; a resource that is not there is found as null, drift), and what a principal is granted on a
 * resource (`ListPermissions`; nothing granted is found as empty permissions, drift).
 */

const NOT_FOUND = new Set(['EntityNotFoundException']);

export async function readTagAssociation(session: AccountSession, fact: Fact): Promise<unknown> {
  const { resource } = fact.expected as { resource: LakeFormationResource };
  const columns = (resource as { TableWithColumns?: { ColumnNames: string[] } }).TableWithColumns?.ColumnNames;
  try {
    const answer = await session.lakeformation.send(new GetResourceLFTagsCommand({
      CatalogId: fact.account, Resource: resource as Resource, ShowAssignedLFTags: true,
    }));
    let tags: TagShape[];
    if (columns) {
      // Every listed column must carry the association's tags: the tags all of them share.
      const byColumn = columns.map((name) => tagShapes(answer.LFTagsOnColumns?.find((c) => c.Name === name)?.LFTags ?? []));
      tags = byColumn[0].filter((tag) => byColumn.every((other) => other.some((t) => JSON.stringify(t) === JSON.stringify(tag))));
    } else {
      tags = tagShapes(answer.LFTagOnDatabase ?? answer.LFTagsOnTable ?? []);
    }
    return { resource, tags };
  } catch (e) {
    if (NOT_FOUND.has((e as Error).name)) return null;
    throw e;
  }
}

/** A resource in one form whatever the order of keys, tag expressions and values. */
function normalResource(resource: unknown): string {
  const r = resource as { LFTagPolicy?: { Expression?: { TagKey: string; TagValues: string[] }[] } };
  if (r?.LFTagPolicy?.Expression) {
    const expression = tagShapes(r.LFTagPolicy.Expression);
    return canonical({ ...r, LFTagPolicy: { ...r.LFTagPolicy, Expression: expression } });
  }
  return canonical(resource);
}

/**
 * What a principal is granted on a resource: every grant of the catalog, listed once per session with no filter (a
 * `Principal` filter needs a `Resource`, and tag-policy resources are not accepted as one everywhere), then matched
 * by principal and resource.
 */
export async function readGrant(session: AccountSession, fact: Fact): Promise<unknown> {
  const { principal, resource } = fact.expected as { principal: string; resource: LakeFormationResource };
  const grants = await session.once(`lakeformation:ListPermissions ${fact.account}`, async () => {
    const all: PrincipalResourcePermissions[] = [];
    for await (const page of paginateListPermissions({ client: session.lakeformation }, { CatalogId: fact.account })) {
      all.push(...page.PrincipalResourcePermissions ?? []);
    }
    return all;
  });
  const permissions = new Set<string>();
  const withGrant = new Set<string>();
  const wanted = normalResource(resource);
  for (const entry of grants) {
    if (entry.Principal?.DataLakePrincipalIdentifier !== principal || normalResource(entry.Resource) !== wanted) continue;
    for (const p of entry.Permissions ?? []) permissions.add(p);
    for (const p of entry.PermissionsWithGrantOption ?? []) withGrant.add(p);
  }
  return { principal, resource, permissions: [...permissions].sort(), permissionsWithGrantOption: [...withGrant].sort() };
}

/**
 * The catalog's data-lake settings (`GetDataLakeSettings`), the fields the fact expects: administrators (with
 * `adminsAppended`, only those of the expected ones the catalog has: others may be there too), and the default
 * permissions of new databases and tables (Lake Formation's default, IAM_ALLOWED_PRINCIPALS with ALL, is found as such:
 * drift from an empty list).
 */
export async function readDataLakeSettings(session: AccountSession, fact: Fact): Promise<unknown> {
  const expected = fact.expected as DataLakeSettingsShape;
  const { DataLakeSettings: settings = {} } = await session.lakeformation.send(new GetDataLakeSettingsCommand({ CatalogId: fact.account }));
  const admins = (settings.DataLakeAdmins ?? []).map((a) => String(a.DataLakePrincipalIdentifier)).sort();
  const found: DataLakeSettingsShape = {
    ...(expected.admins && {
      admins: expected.adminsAppended ? admins.filter((a) => expected.admins!.includes(a)) : admins,
      adminsAppended: expected.adminsAppended,
    }),
    ...(expected.createDatabaseDefaultPermissions && {
      createDatabaseDefaultPermissions: defaultPermissionShapes(settings.CreateDatabaseDefaultPermissions ?? []),
    }),
    ...(expected.createTableDefaultPermissions && {
      createTableDefaultPermissions: defaultPermissionShapes(settings.CreateTableDefaultPermissions ?? []),
    }),
  };
  return found;
}
