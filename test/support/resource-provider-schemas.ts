import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The handler operations whose permissions CloudFormation needs to create, update, delete (and read) a resource. */
export const HANDLER_OPERATIONS = ['create', 'read', 'update', 'delete', 'list'] as const;
export type HandlerOperation = typeof HANDLER_OPERATIONS[number];

/**
 * The CloudFormation resource provider schemas (the registry's `handlers.<operation>.permissions`) as cfn-lint ships
 * them in the project's `.venv` (test/support/python-venv.sh creates it): `providers/<region>.json` maps each resource
 * type available in a Region to a schema file under `resources/`. Development only: synth never reads them.
 */
export class ResourceProviderSchemas {
  private readonly dir: string;
  private readonly byRegion = new Map<string, Record<string, string>>();
  private readonly schemas = new Map<string, any>();
  public readonly version: string;

  constructor(projectRoot: string) {
    const lib = path.join(projectRoot, '.venv', 'lib');
    const python = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python3')) : undefined;
    const dir = python && path.join(lib, python, 'site-packages', 'cfnlint', 'data', 'schemas');
    if (!dir || !existsSync(dir)) throw new Error(`No cfn-lint schemas under ${lib}: create the venv first (sh test/support/python-venv.sh)`);
    this.dir = dir;
    const dist = readdirSync(path.join(lib, python!, 'site-packages')).find((d) => /^cfn_lint-.*\.dist-info$/.test(d));
    this.version = dist?.replace(/^cfn_lint-(.*)\.dist-info$/, '$1') ?? 'unknown';
  }

  /** The schema of a type as served in a Region; undefined when the Region has no provider schema for it. */
  public schema(type: string, region: string): any {
    let types = this.byRegion.get(region);
    if (!types) this.byRegion.set(region, types = JSON.parse(readFileSync(path.join(this.dir, 'providers', `${region}.json`), 'utf8')) as Record<string, string>);
    const hash = types[type];
    if (!hash) return undefined;
    let schema = this.schemas.get(hash);
    if (!schema) this.schemas.set(hash, schema = JSON.parse(readFileSync(path.join(this.dir, 'resources', `${hash}.json`), 'utf8')));
    return schema;
  }

  /** The permissions of a type's handlers in a Region, by operation; undefined when there is no schema or no handlers. */
  public permissions(type: string, region: string): Partial<Record<HandlerOperation, string[]>> | undefined {
    const handlers = this.schema(type, region)?.handlers as Record<string, { permissions?: string[] }> | undefined;
    if (!handlers) return undefined;
    return Object.fromEntries(HANDLER_OPERATIONS.filter((op) => handlers[op]).map((op) => [op, [...(handlers[op].permissions ?? [])]]));
  }
}
