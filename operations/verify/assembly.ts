import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A synthesized cloud assembly (`cdk.out`) read as JSON: its stacks with account, Region and template, and the member
 * templates its StackSets deploy. Read without aws-cdk-lib, so `verify` needs nothing but the directory.
 */

/** One resource of a template, as CloudFormation reads it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A CloudFormation template (only what the verifier reads). */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
}

/** A stack of the assembly, where it deploys and its template. */
export interface AssemblyStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: Template;
}

/** A StackSet's member template and where its instances go. */
export interface MemberDeployment {
  /** `StackSetName` of the `AWS::CloudFormation::StackSet`. */
  readonly stackSetName: string;
  readonly template: Template;
  /**
   * Each instances group: the OU ids it targets, the accounts that narrow them (`AccountFilterType` `INTERSECTION`:
   * only those accounts of the OUs; `DIFFERENCE`: the OUs' accounts but those), its Regions and its template parameter
   * overrides.
   */
  readonly groups: readonly {
    readonly organizationalUnitIds: readonly string[];
    readonly accounts: readonly string[];
    readonly accountFilterType: 'NONE' | 'INTERSECTION' | 'DIFFERENCE' | 'UNION';
    readonly regions: readonly string[];
    readonly parameterOverrides: Readonly<Record<string, string>>;
  }[];
}

/** The assembly: its top-level stacks and every StackSet's member deployment. */
export interface Assembly {
  readonly directory: string;
  readonly stacks: readonly AssemblyStack[];
  readonly members: readonly MemberDeployment[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file} as JSON: ${(e as Error).message}`);
  }
}

/** Resources of a template of a type, with their logical ids. */
export function resourcesOf(template: Template, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** The member template of a StackSet: its `TemplateBody`, or the asset its `TemplateURL` names (`<hash>.json`). */
function memberTemplate(directory: string, stackName: string, props: Record<string, unknown>): Template {
  if (typeof props.TemplateBody === 'string') return JSON.parse(props.TemplateBody) as Template;
  const url = JSON.stringify(props.TemplateURL ?? '');
  const hash = /([0-9a-f]{64})\.json/.exec(url)?.[1];
  const file = hash && path.join(directory, `asset.${hash}.json`);
  if (!file || !existsSync(file)) throw new Error(`${stackName}: StackSet ${String(props.StackSetName)} has no TemplateBody and no asset template in ${directory}`);
  return readJson(file) as Template;
}

/** A group's `AccountFilterType` (absent: `NONE`, the OUs' accounts); a value CloudFormation does not know is refused. */
function accountFilterType(stackName: string, value: string | undefined): MemberDeployment['groups'][number]['accountFilterType'] {
  if (value === undefined) return 'NONE';
  if (value === 'NONE' || value === 'INTERSECTION' || value === 'DIFFERENCE' || value === 'UNION') return value;
  throw new Error(`${stackName}: a StackSet's AccountFilterType is NONE, INTERSECTION, DIFFERENCE or UNION, not ${JSON.stringify(value)}`);
}

/** Reads the assembly in `directory` (a `cdk synth` output with `manifest.json`). */
export function readAssembly(directory: string): Assembly {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${directory} is not a cloud assembly (no manifest.json): run npx projen synth, or pass --assembly DIR`);
  type Artifact = { type: string; environment?: string; properties?: { templateFile?: string } };
  const manifest = readJson(manifestFile) as { artifacts?: Record<string, Artifact> };
  const stacks: AssemblyStack[] = [];
  for (const [stackName, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const env = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(artifact.environment ?? '');
    if (!env) throw new Error(`${stackName}: the assembly's stacks must name their account and Region, not ${artifact.environment}`);
    const template = readJson(path.join(directory, artifact.properties?.templateFile ?? `${stackName}.template.json`)) as Template;
    stacks.push({ stackName, account: env[1], region: env[2], template });
  }
  const members = stacks.flatMap((stack) => resourcesOf(stack.template, 'AWS::CloudFormation::StackSet').map(([, props]) => {
    type Group = {
      DeploymentTargets?: { OrganizationalUnitIds?: string[]; Accounts?: string[]; AccountFilterType?: string };
      Regions?: string[];
      ParameterOverrides?: { ParameterKey: string; ParameterValue: unknown }[];
    };
    const groups = (props.StackInstancesGroup as Group[] | undefined) ?? [];
    return {
      stackSetName: String(props.StackSetName),
      template: memberTemplate(directory, stack.stackName, props),
      groups: groups.map((g) => ({
        organizationalUnitIds: g.DeploymentTargets?.OrganizationalUnitIds ?? [],
        accounts: g.DeploymentTargets?.Accounts ?? [],
        accountFilterType: accountFilterType(stack.stackName, g.DeploymentTargets?.AccountFilterType),
        regions: g.Regions ?? [],
        // Literal values only: a value CloudFormation resolves at deploy time (a token) is not known here.
        parameterOverrides: Object.fromEntries((g.ParameterOverrides ?? []).filter((o) => typeof o.ParameterValue === 'string')
          .map((o) => [o.ParameterKey, o.ParameterValue as string])),
      })),
    };
  }));
  return { directory, stacks, members };
}
