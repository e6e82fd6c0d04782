import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { GovernanceConfig } from '../../config/schema';

/** Folder of the auditors' queries, one `.sql` file each. */
export const QUERIES_DIR = path.join(__dirname, '..', 'queries');

export interface NamedQuery {
  /** File name without `.sql`: the named query's name. */
  readonly name: string;
  readonly title: string;
  /** The audit question the query answers. */
  readonly question: string;
  /** Which role can run it: `investigator` for queries that read bodies. */
  readonly role: 'auditor' | 'investigator';
  /** The SQL with the config's values in place of `{{placeholders}}`, header comments included. */
  readonly sql: string;
}

/** Values the queries may name: `{{break_glass_role}}`, `{{platform_role}}`. */
function placeholders(config: GovernanceConfig): Record<string, string> {
  return { break_glass_role: config.principals.breakGlassRoleName, platform_role: config.principals.platformRoleName };
}

/**
 * The queries of `dashboards/queries/`, each with its header (`-- title:`, `-- question:`, `-- role:`) read and its
 * placeholders filled from config. Throws on a missing header or an unknown placeholder, so a query cannot ship broken.
 */
export function namedQueries(config: GovernanceConfig): NamedQuery[] {
  const values = placeholders(config);
  return readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.sql')).sort().map((file) => {
    const text = readFileSync(path.join(QUERIES_DIR, file), 'utf8');
    const header = (key: string) => {
      const match = new RegExp(`^-- ${key}: (.+)$`, 'm').exec(text);
      if (!match) throw new Error(`dashboards/queries/${file}: missing "-- ${key}:" header line`);
      return match[1].trim();
    };
    const role = header('role');
    if (role !== 'auditor' && role !== 'investigator') throw new Error(`dashboards/queries/${file}: role must be auditor or investigator, found "${role}"`);
    const sql = text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      if (!(key in values)) throw new Error(`dashboards/queries/${file}: unknown placeholder {{${key}}}`);
      return values[key];
    });
    return { name: file.replace(/\.sql$/, ''), title: header('title'), question: header('question'), role, sql };
  });
}
