/**
 * LF-1/ATH-1 scheduled handler, in the audit account and home Region: keeps the archive tables' account projection in
 * step with the organization, so an account that joins is queryable within the schedule's period without a synth.
 *
 * Every run lists the organization's ACTIVE accounts (`organizations:ListAccounts`, admitted to this account's role by
 * the management account's Organizations resource policy) and, for each table of `TABLE_NAMES` in `DATABASE_NAME`,
 * reads the table (`GetTable`) and writes it back (`UpdateTable`) only when its `projection.account.values` would
 * change. The new value is the sorted union of the values the table has and the active accounts: an account that
 * leaves or closes keeps its evidence queryable. Every other table field is written back as read; the fields GetTable
 * returns that a `TableInput` does not take (database, times, creator, Lake Formation registration, catalog, version,
 * federation, status, ...) are left out by copying only the `TableInput` fields
 * (https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html). The update names the version it read
 * (`VersionId`), so a concurrent change of the table fails the run instead of being overwritten. A run that finds
 * nothing to change calls no `UpdateTable`. One JSON log line says what changed.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime, shipped as a code asset.
 */
import { GetTableCommand, GlueClient, type Table, type TableInput, UpdateTableCommand } from '@aws-sdk/client-glue';
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** The table parameter that enumerates the account partition values (Athena partition projection, enum type). */
export const ACCOUNT_VALUES_PARAMETER = 'projection.account.values';

/** What one run did to one table. */
export interface TableSync {
  readonly table: string;
  /** Whether the table was updated (its value was not yet the sorted, deduplicated union). */
  readonly changed: boolean;
  /** Accounts added to the projection. */
  readonly added: readonly string[];
}

/** What one run did, as logged. */
export interface SyncResult {
  readonly database: string;
  readonly activeAccounts: number;
  readonly updated: readonly TableSync[];
  readonly unchanged: readonly string[];
}

/** The fields of a `Table` that a `TableInput` takes; everything else GetTable returns is read-only. */
function tableInputOf(table: Table): TableInput {
  if (!table.Name) throw new Error('GetTable answered a table without a name');
  return {
    Name: table.Name,
    Description: table.Description,
    Owner: table.Owner,
    LastAccessTime: table.LastAccessTime,
    LastAnalyzedTime: table.LastAnalyzedTime,
    Retention: table.Retention,
    StorageDescriptor: table.StorageDescriptor,
    PartitionKeys: table.PartitionKeys,
    ViewOriginalText: table.ViewOriginalText,
    ViewExpandedText: table.ViewExpandedText,
    TableType: table.TableType,
    Parameters: table.Parameters,
    TargetTable: table.TargetTable,
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

async function activeAccounts(organizations: OrganizationsClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client: organizations }, {})) {
    for (const account of page.Accounts ?? []) if (account.Status === 'ACTIVE' && account.Id) ids.push(account.Id);
  }
  return ids;
}

async function syncTable(glue: GlueClient, database: string, name: string, accounts: readonly string[]): Promise<TableSync> {
  const { Table: table } = await glue.send(new GetTableCommand({ DatabaseName: database, Name: name }));
  if (!table) throw new Error(`GetTable answered no table for ${database}.${name}`);
  const current = table.Parameters?.[ACCOUNT_VALUES_PARAMETER];
  if (current === undefined) throw new Error(`${database}.${name} has no ${ACCOUNT_VALUES_PARAMETER} parameter`);
  const existing = current.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const values = [...new Set([...existing, ...accounts])].sort();
  const wanted = values.join(',');
  if (wanted === current) return { table: name, changed: false, added: [] };
  const input = tableInputOf(table);
  await glue.send(new UpdateTableCommand({
    DatabaseName: database,
    TableInput: { ...input, Parameters: { ...input.Parameters, [ACCOUNT_VALUES_PARAMETER]: wanted } },
    VersionId: table.VersionId,
  }));
  return { table: name, changed: true, added: values.filter((v) => !existing.includes(v)) };
}

/** Lambda entry point (EventBridge schedule): brings every table's account projection in step with the organization. */
export async function handler(): Promise<SyncResult> {
  const database = required('DATABASE_NAME');
  const tables = required('TABLE_NAMES').split(',').filter((t) => t !== '');
  const accounts = await activeAccounts(new OrganizationsClient({ ...RETRY }));
  const glue = new GlueClient({ ...RETRY });
  const synced: TableSync[] = [];
  for (const name of tables) synced.push(await syncTable(glue, database, name, accounts));
  const result: SyncResult = {
    database,
    activeAccounts: accounts.length,
    updated: synced.filter((s) => s.changed),
    unchanged: synced.filter((s) => !s.changed).map((s) => s.table),
  };
  console.log(JSON.stringify({ accountProjectionSync: result }));
  return result;
}
