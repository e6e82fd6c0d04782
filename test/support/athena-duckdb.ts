import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ArchiveTable } from '../../dashboards/athena/tables';

/**
 * A local stand-in for Athena: DuckDB with the archive tables created from their Glue definitions (so a query that
 * names a column the table does not have fails here as in Athena) and the few Trino functions the queries use that
 * DuckDB spells differently, defined as macros. The queries themselves run unchanged.
 */

/** Trino functions the queries use, in DuckDB terms. */
const TRINO_MACROS = [
  'CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
  'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  'CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
];

/** A Hive type from Glue as a DuckDB type: `struct<a:string>` → `STRUCT("a" VARCHAR)`. */
export function duckDbType(hive: string): string {
  const type = hive.trim();
  const inner = (prefix: string) => type.slice(prefix.length, -1);
  if (type.startsWith('struct<')) {
    return `STRUCT(${splitTopLevel(inner('struct<')).map((f) => {
      const colon = f.indexOf(':');
      return `"${f.slice(0, colon)}" ${duckDbType(f.slice(colon + 1))}`;
    }).join(', ')})`;
  }
  if (type.startsWith('array<')) return `${duckDbType(inner('array<'))}[]`;
  if (type.startsWith('map<')) return `MAP(${splitTopLevel(inner('map<')).map(duckDbType).join(', ')})`;
  const scalar: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', boolean: 'BOOLEAN', double: 'DOUBLE' };
  if (!scalar[type]) throw new Error(`no DuckDB type for Hive type ${type}`);
  return scalar[type];
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '<') depth++;
    if (list[i] === '>') depth--;
    if (list[i] === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts;
}

/**
 * A JSON value as the table's SerDe reads it: keys matched case-insensitively (lowercased, except the keys of a
 * map), and a `string` column that holds an object gets that object's JSON text.
 */
function asSerDeReads(value: unknown, hive: string): unknown {
  if (value === null || value === undefined) return null;
  const type = hive.trim();
  if (type === 'string') return typeof value === 'string' ? value : JSON.stringify(value);
  if (type.startsWith('struct<')) {
    const fields = splitTopLevel(type.slice('struct<'.length, -1)).map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1)]);
    const byLowerKey = new Map(Object.entries(value as object).map(([k, v]) => [k.toLowerCase(), v]));
    return Object.fromEntries(fields.map(([name, fieldType]) => [name, asSerDeReads(byLowerKey.get(name), fieldType)]));
  }
  if (type.startsWith('array<')) return (value as unknown[]).map((v) => asSerDeReads(v, type.slice('array<'.length, -1)));
  return value;
}

export class LocalAthena {
  public static async start(): Promise<LocalAthena> {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    for (const macro of TRINO_MACROS) await connection.run(macro);
    return new LocalAthena(connection, mkdtempSync(path.join(tmpdir(), 'athena-')));
  }

  private constructor(private readonly connection: DuckDBConnection, private readonly dir: string) {}

  /** Creates `table` from its Glue columns and partition keys and loads the records (partition values from `partitionOf`). */
  public async load(
    table: ArchiveTable,
    records: readonly Record<string, unknown>[],
    partitionOf: (r: Record<string, unknown>) => Record<string, string>,
  ): Promise<void> {
    const columns = [...table.columns, ...table.partitionKeys.map((k) => ({ name: k.name, type: 'string' }))];
    const rows = records.map((record) => {
      const byLowerKey = new Map(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
      const partition = partitionOf(record);
      return Object.fromEntries(columns.map((c) => [c.name, c.name in partition ? partition[c.name] : asSerDeReads(byLowerKey.get(c.name), c.type)]));
    });
    const file = path.join(this.dir, `${table.name}.ndjson`);
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const spec = columns.map((c) => `"${c.name}": '${duckDbType(c.type).replace(/'/g, '\'\'')}'`).join(', ');
    await this.connection.run(`CREATE TABLE ${table.name} AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${spec}})`);
  }

  /** Runs a query and returns its rows as objects (BIGINT as number, dates as ISO strings). */
  public async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }
}
