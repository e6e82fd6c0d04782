import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The generated file: for each resource type the pipeline deploys, the IAM service prefixes its resource handlers call. */
export const HANDLER_SERVICES_FILE = path.join(__dirname, 'resource-handler-services.json');

/** The command that regenerates it (from the CloudFormation resource provider schemas cfn-lint ships). */
export const HANDLER_SERVICES_COMMAND = 'npx ts-node --transpile-only -P tsconfig.json test/stacks/pipeline/write-handler-services.ts';

export interface HandlerServices {
  /** Where the permissions were read from (the cfn-lint version and the Region's provider list). */
  readonly source: string;
  /** Resource type → the service prefixes of its create, read, update, delete and list handlers' permissions. */
  readonly types: Readonly<Record<string, readonly string[]>>;
  /** Types with no provider schema, with what the file assumes for them and why. */
  readonly withoutSchema: Readonly<Record<string, string>>;
}

export function readHandlerServices(file = HANDLER_SERVICES_FILE): HandlerServices {
  return JSON.parse(readFileSync(file, 'utf8')) as HandlerServices;
}

/**
 * The service prefixes the CloudFormation execution role needs for resource types: the union of what their handlers
 * call, sorted. `unknown` lists the types the file does not know (a type added to the estate since it was generated):
 * the caller fails synth with them rather than deploy an execution role that CloudFormation would find short.
 */
export function executionServices(
  resourceTypes: Iterable<string>, data: HandlerServices = readHandlerServices(),
): { services: string[]; unknown: string[] } {
  const services = new Set<string>();
  const unknown = new Set<string>();
  for (const type of resourceTypes) {
    const prefixes = data.types[type];
    if (!prefixes) unknown.add(type);
    else prefixes.forEach((p) => services.add(p));
  }
  return { services: [...services].sort(), unknown: [...unknown].sort() };
}
