import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The Control Tower proactive-control rules the cfn-guard plugin ships (`rules/control-tower/cfn-guard/<service>/*.guard`). */
export const CONTROL_TOWER_RULES_DIR = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard')), '..', 'rules', 'control-tower', 'cfn-guard');

/** A CloudFormation resource type as the rules name it: `AWS::S3::Bucket`. */
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

interface GuardRuleFile {
  readonly file: string;
  /** The rule's name (the file name without `.guard`), as `disabledRules` names it. */
  readonly name: string;
  /** Every resource type the file names; a rule only ever selects resources of these types. */
  readonly types: ReadonlySet<string>;
}

let ruleFiles: GuardRuleFile[] | undefined;

function guardFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return guardFiles(file);
    return entry.name.endsWith('.guard') ? [file] : [];
  });
}

/** Every rule file under `CONTROL_TOWER_RULES_DIR` with the resource types it names (read once per process). */
export function controlTowerRuleFiles(): readonly GuardRuleFile[] {
  ruleFiles ??= guardFiles(CONTROL_TOWER_RULES_DIR).sort().map((file) => {
    const types = new Set(readFileSync(file, 'utf8').match(RESOURCE_TYPE) ?? []);
    // A rule that names no resource type could select anything: it would always run. The shipped rules each name theirs.
    if (types.size === 0) throw new Error(`${file} names no AWS resource type; the rule selection cannot tell what it checks`);
    return { file, name: path.basename(file, '.guard'), types };
  });
  return ruleFiles;
}

/** The resource types of the templates cfn-guard is about to check. */
export function templateResourceTypes(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const templatePath of templatePaths) {
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources?: Record<string, { Type?: unknown }> };
    for (const resource of Object.values(template.Resources ?? {})) {
      if (typeof resource.Type === 'string') types.add(resource.Type);
    }
  }
  return types;
}

/**
 * The rule files that can find anything in templates with these resource types: each Control Tower rule selects the
 * resources of the types it names (`Resources.*[ Type == 'AWS::S3::Bucket' ]`) and skips a template without them, so a
 * rule none of whose types occur passes or fails nothing. Running only the others gives the same findings; cfn-guard's
 * cost is mostly parsing its 237 rule files, so one stack's check drops from about 1.9 s to 0.2 s of CPU.
 */
export function rulesConcerning(types: ReadonlySet<string>, disabledRules: readonly string[] = []): string[] {
  return controlTowerRuleFiles()
    .filter((rule) => !disabledRules.includes(rule.name) && [...rule.types].some((t) => types.has(t)))
    .map((rule) => rule.file);
}
