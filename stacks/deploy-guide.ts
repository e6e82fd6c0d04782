import { deployWaves, plannedStacks, type PlannedStack } from './deploy-plan';
import { ACCOUNT_ROLES, ESTATE_TABLE, dependenciesOf, estateEntries, stackIdOf, type AccountRole, type EstateEntry, type EstateKey } from './estate-table';
import type { GovernanceConfig } from '../config/schema';

/**
 * The sections of docs/deploying.md derived from the estate table (stacks/estate-table.ts): which stacks go where, the
 * CLI profiles, the bootstrap commands and the deploy waves, the last three for one config (the example organization).
 * Each sits between `<!-- BEGIN GENERATED <name> ... -->` and `<!-- END GENERATED <name> -->`; `npx projen
 * docs:deploying` rewrites them, and test/docs/deploy-guide.test.ts fails when the checked-in page differs.
 */

export const DEPLOY_GUIDE_FILE = 'docs/deploying.md';

/** Account roles in the order people meet them: the one that writes the policies first, the tenants last. */
const ROLE_ORDER: readonly AccountRole[] = ['management', 'log-archive', 'audit', 'stacksets-administrator', 'tenant'];

const ROLE_LABEL: Readonly<Record<AccountRole, string>> = {
  'management': 'management',
  'log-archive': 'log-archive',
  'audit': 'audit',
  'stacksets-administrator': 'StackSets administrator',
  'tenant': 'tenant',
};

const REGIONS_LABEL = {
  home: 'home (`organization.homeRegion`)',
  governed: 'each governed Region (`organization.governedRegions`)',
  tenant: 'each of `workloads.supportChat.regions` (none without `workloads.supportChat`)',
  edge: 'us-east-1 only (CloudFront-scoped resources; ORG-REGION-1 exempts the tenant\'s CDK bootstrap roles there)',
} as const;

const BOOTSTRAP_LABEL = {
  'default': 'default template',
  'platform-role': 'template that lets the deploy role pass the platform role; deployed with `--role-arn` (platform role)',
  'bootstrap-as-platform-role': 'default template, bootstrapped as the platform role',
} as const;

/** The CLI profile of an account role (one administrator role per account, see Credentials). */
function profileOf(role: AccountRole, config: GovernanceConfig): string {
  if (role === 'tenant') return `governance-${ACCOUNT_ROLES.tenant.accountName(config)}`;
  return `governance-${role === 'stacksets-administrator' ? 'stacksets' : role}`;
}

/** An entry's id pattern: `GovernanceMacie-<region>`. */
function idPattern(entry: EstateEntry<EstateKey>): string {
  return stackIdOf(entry, '<region>');
}

function code(text: string): string {
  return `\`${text}\``;
}

/** The "which stacks go where" table: one row per entry, by account (management first, member templates last). */
export function renderStackTable(): string {
  const rows = ['| stack | account | Regions | deploys after | bootstrap |', '| --- | --- | --- | --- | --- |'];
  const entries = estateEntries();
  const deployed = ROLE_ORDER.flatMap((role) => entries.filter(([, e]) => e.account === role));
  for (const [, entry] of deployed) {
    if (entry.regions === 'none') continue;
    const role = entry.account as AccountRole;
    const after = dependenciesOf(entry).map((d) => {
      const target = ESTATE_TABLE[d.on] as EstateEntry<EstateKey>;
      const where = d.sameRegion && target.regions !== 'home' ? ' of the same Region' : d.sameRegion ? ' (in the home Region only)' : '';
      return `${code(idPattern(target))}${where}: ${d.reason}`;
    });
    const condition = entry.regions !== 'home' && entry.when ? `, ${entry.when.text}` : '';
    rows.push(`| ${code(idPattern(entry))} | ${ROLE_LABEL[role]} (${ACCOUNT_ROLES[role].configKey}) | ${REGIONS_LABEL[entry.regions]}${condition} | `
      + `${after.length ? after.join('; ') : '(nothing)'} | ${BOOTSTRAP_LABEL[ACCOUNT_ROLES[role].bootstrap]}${entry.assets ? `; the asset bucket carries ${entry.assets}` : ''} |`);
  }
  for (const [, entry] of entries) {
    if (entry.regions !== 'none') continue;
    const stackSets = estateEntries().filter(([, e]) => e.regions === 'home' && e.input !== undefined && ESTATE_TABLE[e.input] === entry).map(([, e]) => code(idPattern(e)));
    const special = entry.memberTargets ?? {};
    const everywhere = Object.entries(entry.members).filter(([name]) => !(name in special)).map(([, m]) => m);
    const groups: [string[], string][] = [[everywhere, 'every account of `baseline.targetOrganizationalUnits` (default: the workload OUs)'],
      ...Object.entries(special).map(([name, where]): [string[], string] => [[entry.members[name]], where])];
    for (const [members, where] of groups.filter(([m]) => m.length > 0)) {
      rows.push(`| ${members.map((m) => code(`${entry.id}/${m}`)).join(', ')} | ${where} `
        + `| none from the CLI: the StackSets of ${stackSets.join(', ')} roll them out | (by StackSet) | none: bootstrapless member templates |`);
    }
  }
  return rows.join('\n');
}

/** One account of a config with the roles it plays and the Regions its stacks are in. */
interface PlannedAccount {
  readonly accountId: string;
  readonly roles: AccountRole[];
  readonly regions: string[];
  readonly stacks: PlannedStack[];
}

function plannedAccounts(config: GovernanceConfig): PlannedAccount[] {
  const accounts = new Map<string, PlannedAccount>();
  const stacks = plannedStacks(config);
  for (const role of ROLE_ORDER) {
    for (const s of stacks.filter((p) => p.account === role)) {
      const a = accounts.get(s.accountId) ?? { accountId: s.accountId, roles: [], regions: [], stacks: [] };
      if (!a.roles.includes(role)) a.roles.push(role);
      if (!a.regions.includes(s.region)) a.regions.push(s.region);
      a.stacks.push(s);
      accounts.set(s.accountId, a);
    }
  }
  return [...accounts.values()];
}

function accountName(config: GovernanceConfig, accountId: string): string {
  return config.accounts.find((a) => a.id === accountId)?.name ?? accountId;
}

/** The profiles the commands use, one per account of the config. */
export function renderProfiles(config: GovernanceConfig): string {
  const rows = ['| profile | account | role |', '| --- | --- | --- |'];
  for (const a of plannedAccounts(config)) {
    const role = a.roles[0];
    rows.push(`| ${code(profileOf(role, config))} | ${accountName(config, a.accountId)} ${code(a.accountId)} | ${a.roles.map((r) => ROLE_LABEL[r]).join(', ')} |`);
    if (ACCOUNT_ROLES[role].bootstrap === 'bootstrap-as-platform-role') {
      rows.push(`| ${code(`${profileOf(role, config)}-platform`)} | ${accountName(config, a.accountId)} ${code(a.accountId)} | the platform role `
        + `(${code(config.principals.platformRoleName)}), for the bootstrap only |`);
    }
  }
  if (!config.baseline.delegatedAdministrator) {
    rows.push(`| ${code(profileOf('stacksets-administrator', config))} | the StackSets delegated administrator | only with \`baseline.delegatedAdministrator\` |`);
  }
  return rows.join('\n');
}

/** `-c config=<file>`, with the config file the commands are written for. */
function configFlag(configFile: string): string {
  return `-c config=${configFile}`;
}

/** The bootstrap commands for a config, one per account. */
export function renderBootstrap(config: GovernanceConfig, configFile: string): string {
  const lines: string[] = [];
  for (const a of plannedAccounts(config)) {
    const kinds = new Set(a.roles.map((r) => ACCOUNT_ROLES[r].bootstrap));
    const role = a.roles[0];
    const template = kinds.has('platform-role') ? ' --template bootstrap-template.yaml' : '';
    const profile = kinds.has('bootstrap-as-platform-role') ? `${profileOf(role, config)}-platform` : profileOf(role, config);
    const why = kinds.has('platform-role') ? '; the template lets the deploy role pass the platform role'
      : kinds.has('bootstrap-as-platform-role') ? '; as the platform role (a workload OU: ORG-BOUNDARY-1 lets only exempt principals create roles without the workload boundary, and the bootstrap\'s roles carry none)' : '';
    lines.push(`# ${accountName(config, a.accountId)} (${a.roles.map((r) => ROLE_LABEL[r]).join(', ')}): ${a.regions.join(', ')}, for ${a.stacks.map((s) => s.id).join(', ')}${why}`);
    lines.push(`npx cdk bootstrap ${a.regions.map((r) => `aws://${a.accountId}/${r}`).join(' ')}${template} --profile ${profile} ${configFlag(configFile)}`);
  }
  if (!config.baseline.delegatedAdministrator) {
    const stackSets = plannedStacks(config).filter((s) => s.account === 'stacksets-administrator');
    lines.push(`# with baseline.delegatedAdministrator, ${stackSets.map((s) => s.id).join(', ')} goes to that account instead (profile ${profileOf('stacksets-administrator', config)}):`);
    lines.push(`#   npx cdk bootstrap ${[...new Set(stackSets.map((s) => s.region))].map((r) => `aws://<delegated administrator>/${r}`).join(' ')} `
      + `--profile ${profileOf('stacksets-administrator', config)} ${configFlag(configFile)}`);
  }
  return ['```sh', ...lines, '```'].join('\n');
}

/** The deploy commands for a config: one block per wave, one command per account and wave. */
export function renderDeployOrder(config: GovernanceConfig, configFile: string): string {
  const stacks = plannedStacks(config);
  const waves = deployWaves(stacks);
  const primaryRole = new Map(plannedAccounts(config).map((a) => [a.accountId, a.roles[0]]));
  const platformVar = (s: PlannedStack) => `PLATFORM_${accountName(config, s.accountId).toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  const needsPlatformRole = (s: PlannedStack) => ACCOUNT_ROLES[s.account].bootstrap === 'platform-role';
  const lines = [`C="${configFlag(configFile)} --exclusively"`];
  const platformAccounts = [...new Map(stacks.filter(needsPlatformRole).map((s) => [s.accountId, s])).values()];
  for (const s of platformAccounts) lines.push(`${platformVar(s)}="--role-arn arn:aws:iam::${s.accountId}:role/${config.principals.platformRoleName}"`);
  waves.forEach((wave, i) => {
    lines.push('');
    const reasons = new Map<string, string[]>();
    for (const s of wave) {
      for (const a of s.after) {
        const key = `${a.reason}\0${s.key}`;
        const entry = reasons.get(key) ?? [];
        if (!entry.includes(a.id)) entry.push(a.id);
        reasons.set(key, entry);
      }
    }
    if (reasons.size === 0) {lines.push(`# Wave ${i + 1}: no dependencies.`);} else {
      lines.push(`# Wave ${i + 1}:`);
      for (const [key, targets] of reasons) {
        const [reason, kind] = key.split('\0');
        const dependents = wave.filter((s) => s.key === kind && s.after.some((a) => a.reason === reason)).map((s) => s.id);
        lines.push(`#   ${dependents.join(', ')} after ${targets.join(', ')}: ${reason}`);
      }
    }
    // One command per account (its profile is that of the first role it plays) and way CloudFormation acts there.
    const byAccount = new Map<string, PlannedStack[]>();
    for (const role of ROLE_ORDER) {
      for (const s of wave.filter((w) => w.account === role)) {
        const key = `${s.accountId} ${needsPlatformRole(s)}`;
        byAccount.set(key, [...(byAccount.get(key) ?? []), s]);
      }
    }
    for (const group of byAccount.values()) {
      const first = group[0];
      const role = needsPlatformRole(first) ? ` $${platformVar(first)}` : '';
      lines.push(`npx cdk deploy ${group.map((s) => s.id).join(' ')} $C${role} --profile ${profileOf(primaryRole.get(first.accountId)!, config)}`);
    }
  });
  return ['```sh', ...lines, '```', '', `${waves.length} waves: a wave starts when the one before has finished; the commands of one wave may run in parallel.`].join('\n');
}

/** The generated sections by name. */
export function deployGuideSections(config: GovernanceConfig, configFile: string): Record<string, string> {
  return {
    stacks: renderStackTable(),
    profiles: renderProfiles(config),
    bootstrap: renderBootstrap(config, configFile),
    deploy: renderDeployOrder(config, configFile),
  };
}

const BEGIN = (name: string) => new RegExp(`<!-- BEGIN GENERATED ${name}\\b[^>]*-->\\n`);
const END = (name: string) => `<!-- END GENERATED ${name} -->`;

/** The page with every generated section rewritten; throws when a section's markers are missing. */
export function withGeneratedSections(page: string, sections: Readonly<Record<string, string>>): string {
  let out = page;
  for (const [name, body] of Object.entries(sections)) {
    const begin = BEGIN(name).exec(out);
    const end = out.indexOf(END(name));
    if (!begin || end < begin.index) throw new Error(`${DEPLOY_GUIDE_FILE} has no section "${name}" between <!-- BEGIN GENERATED ${name} ... --> and ${END(name)}`);
    const start = begin.index + begin[0].length;
    out = `${out.slice(0, start)}${body}\n${out.slice(end)}`;
  }
  return out;
}

