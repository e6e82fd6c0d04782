import { resourcesOf, type Assembly, type Template } from './assembly';
import type { Fact } from './fact';
import { resolveValue, type Placement } from './template-value';

/**
 * LF-1 facts beyond the tags themselves: which LF-tags each database, table and column carries
 * (`AWS::LakeFormation::TagAssociation`, read with `GetResourceLFTags`) and what each principal is granted
 * (`AWS::LakeFormation::PrincipalPermissions`, read with `ListPermissions`). A removed association or a revoked or
 * widened grant changes who can read the evidence, so each is a fact of its own; and the catalog's data-lake settings
 * (`AWS::LakeFormation::DataLakeSettings`, read with `GetDataLakeSettings`): who administers it, and that new databases
 * and tables get no "use only IAM access control" default.
 */

/** An LF-tag as compared: key and sorted values. */
export interface TagShape {
  readonly TagKey: string;
  readonly TagValues: readonly string[];
}

/** A Lake Formation resource as `GetResourceLFTags`, `AddLFTagsToResource` and `ListPermissions` take it. */
export type LakeFormationResource = Record<string, unknown>;

/** The tags of an association (or a read), sorted by key, each with sorted values. */
export function tagShapes(tags: readonly { TagKey?: string; TagValues?: readonly string[] }[]): TagShape[] {
  return tags.map((t) => ({ TagKey: String(t.TagKey), TagValues: [...t.TagValues ?? []].sort() }))
    .sort((a, b) => a.TagKey.localeCompare(b.TagKey));
}

/** A readable name of a Lake Formation resource: `db`, `db.table`, `db.table[col,col]` or `TABLE with tag=v,…`. */
export function resourceName(resource: LakeFormationResource): string {
  const r = resource as {
    Database?: { Name: string };
    Table?: { DatabaseName: string; Name: string };
    TableWithColumns?: { DatabaseName: string; Name: string; ColumnNames: string[] };
    LFTagPolicy?: { ResourceType: string; Expression: { TagKey: string; TagValues: string[] }[] };
  };
  if (r.Database) return r.Database.Name;
  if (r.Table) return `${r.Table.DatabaseName}.${r.Table.Name}`;
  if (r.TableWithColumns) return `${r.TableWithColumns.DatabaseName}.${r.TableWithColumns.Name}[${r.TableWithColumns.ColumnNames.join(',')}]`;
  if (r.LFTagPolicy) return `${r.LFTagPolicy.ResourceType} with ${r.LFTagPolicy.Expression.map((e) => `${e.TagKey}=${e.TagValues.join('|')}`).join(',')}`;
  return JSON.stringify(resource);
}

export function lakeFormationFacts(assembly: Assembly): Fact[] {
  return assembly.stacks.flatMap((stack) => {
    const placement = { account: stack.account, region: stack.region };
    const base = { control: 'LF-1', account: stack.account, region: stack.region, clientRegion: stack.region };
    const associations = resourcesOf(stack.template, 'AWS::LakeFormation::TagAssociation').flatMap(([, p]): Fact[] => {
      const resource = resolveValue(p.Resource, stack.template, placement) as LakeFormationResource | undefined;
      const tags = resolveValue(p.LFTags, stack.template, placement) as TagShape[] | undefined;
      if (!resource || !tags) return [];
      const subject = resourceName(resource);
      return [{ ...base, kind: 'lf-tag-association', subject, call: `lakeformation:GetResourceLFTags ${subject}`, expected: { resource, tags: tagShapes(tags) } }];
    });
    const grants = resourcesOf(stack.template, 'AWS::LakeFormation::PrincipalPermissions').flatMap(([, p]): Fact[] => {
      const resource = resolveValue(p.Resource, stack.template, placement) as LakeFormationResource | undefined;
      const identifier = (p.Principal as { DataLakePrincipalIdentifier?: unknown } | undefined)?.DataLakePrincipalIdentifier;
      const principal = resolveValue(identifier, stack.template, placement);
      if (!resource || typeof principal !== 'string') return [];
      const subject = `${principal.split('/').pop()} on ${resourceName(resource)}`;
      return [{
        ...base,
        kind: 'lf-grant',
        subject,
        call: `lakeformation:ListPermissions ${subject}`,
        expected: {
          principal,
          resource,
          permissions: [...(p.Permissions as string[] | undefined) ?? []].sort(),
          permissionsWithGrantOption: [...(p.PermissionsWithGrantOption as string[] | undefined) ?? []].sort(),
        },
      }];
    });
    return [...associations, ...grants, ...dataLakeSettingsFacts(stack.template, base, placement)];
  });
}

/** A default-permissions entry as compared: the principal and its sorted permissions. */
export interface DefaultPermissionShape {
  readonly principal: string;
  readonly permissions: readonly string[];
}

/** Default permissions (`CreateDatabaseDefaultPermissions`, `CreateTableDefaultPermissions`), sorted by principal. */
export function defaultPermissionShapes(
  entries: readonly { Principal?: { DataLakePrincipalIdentifier?: string }; Permissions?: readonly string[] }[],
): DefaultPermissionShape[] {
  return entries.map((e) => ({ principal: String(e.Principal?.DataLakePrincipalIdentifier), permissions: [...e.Permissions ?? []].sort() }))
    .sort((a, b) => a.principal.localeCompare(b.principal));
}

/**
 * The catalog's data-lake settings as `AWS::LakeFormation::DataLakeSettings` sets them: its administrators and the
 * default permissions of new databases and tables (empty: Lake Formation permissions, not "use only IAM access
 * control", govern what is created). Only the properties the template sets are expected; with `MutationType: APPEND`
 * the template's administrators must be among the catalog's, otherwise they are all of them.
 */
function dataLakeSettingsFacts(template: Template, base: Omit<Fact, 'kind' | 'subject' | 'call' | 'expected'>, placement: Placement): Fact[] {
  return resourcesOf(template, 'AWS::LakeFormation::DataLakeSettings').flatMap(([, p]): Fact[] => {
    const admins = resolveValue(p.Admins, template, placement) as { DataLakePrincipalIdentifier?: string }[] | undefined;
    type Defaults = Parameters<typeof defaultPermissionShapes>[0] | undefined;
    const databases = resolveValue(p.CreateDatabaseDefaultPermissions, template, placement) as Defaults;
    const tables = resolveValue(p.CreateTableDefaultPermissions, template, placement) as Defaults;
    if ((p.Admins !== undefined && !admins) || (p.CreateDatabaseDefaultPermissions !== undefined && !databases)
      || (p.CreateTableDefaultPermissions !== undefined && !tables)) return [];
    const expected: DataLakeSettingsShape = {
      ...(admins && { admins: admins.map((a) => String(a.DataLakePrincipalIdentifier)).sort(), adminsAppended: p.MutationType === 'APPEND' }),
      ...(databases && { createDatabaseDefaultPermissions: defaultPermissionShapes(databases) }),
      ...(tables && { createTableDefaultPermissions: defaultPermissionShapes(tables) }),
    };
    return [{ ...base, kind: 'lf-data-lake-settings', subject: 'data-lake-settings', call: 'lakeformation:GetDataLakeSettings', expected }];
  });
}

/** What the verifier compares of the data-lake settings (each field only when the template sets it). */
export interface DataLakeSettingsShape {
  /** The administrators' principal ARNs, sorted. */
  readonly admins?: readonly string[];
  /** `MutationType: APPEND`: the catalog may have other administrators too. */
  readonly adminsAppended?: boolean;
  readonly createDatabaseDefaultPermissions?: readonly DefaultPermissionShape[];
  readonly createTableDefaultPermissions?: readonly DefaultPermissionShape[];
}
