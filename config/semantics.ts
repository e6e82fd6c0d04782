import type { ConfigIssue, ConfigPath } from './config-error';
import { didYouMean } from './did-you-mean';
import type { GovernanceConfig } from './schema';
import { GEOGRAPHIES } from '../catalog/geographies';
import { MODEL_CATALOG, findCatalogModel, findGeographicProfile } from '../catalog/models';

/** An issue before its line is known. */
type Issue = Omit<ConfigIssue, 'line' | 'column'>;

/**
 * Rules that relate one part of a structurally valid config to another: references resolve, ids are unique, Regions
 * belong to the approved geographies, every approved model is callable the way the config says. Returns every issue found.
 */
export function checkSemantics(config: GovernanceConfig): Issue[] {
  const models = checkModels(config);
  return [
    ...checkOrganizationalUnits(config),
    ...checkAccounts(config),
    ...checkRegions(config),
    ...checkBedrockPolicySlots(config),
    ...models,
    ...checkBedrockPaths(config),
    ...checkRequireVpcEndpoint(config),

    ...checkBaseline(config),
    ...checkPipeline(config),
    ...checkObservability(config),
    // A wrong approved model is reported once, at its definition: the tenant's references are judged only when all are right.
    ...checkSupportChat(config, models.length === 0),
  ];
}

/** The workload OU paths an account is in: its OU or one of its parents is a workload OU. */
function inWorkloadOu(config: GovernanceConfig, ou: string | undefined): boolean {
  if (ou === undefined) return false;
  return config.organization.workloadOrganizationalUnits.some((w) => ou === w || ou.startsWith(`${w}/`));
}

/**
 * The support-chat tenant lives inside the controls: its account is a workload account (the Bedrock SCPs apply
 * there), its Regions are governed, and every model it names is an approved text model reached through a profile of
 * an approved geography callable from each of its Regions (the only way BR-CRI-1 lets it call).
 */
function checkSupportChat(config: GovernanceConfig, modelsValid: boolean): Issue[] {
  const tenant = config.workloads.supportChat;
  if (!tenant) return [];
  const at = ['workloads', 'supportChat'];
  const issues: Issue[] = [];
  const names = config.accounts.map((a) => a.name);
  const account = config.accounts.find((a) => a.name === tenant.account);
  if (!account) {
    issues.push(unknownReference([...at, 'account'], tenant.account, names, 'account names in accounts'));
  } else if (!inWorkloadOu(config, account.organizationalUnit)) {
    issues.push({
      path: [...at, 'account'],
      expected: `an account in a workload OU (${config.organization.workloadOrganizationalUnits.join(', ')}), where the Bedrock controls apply`,
      found: `"${tenant.account}" in ${account.organizationalUnit === undefined ? 'the root' : `"${account.organizationalUnit}"`}`,
    });
  }
  const governed = config.organization.governedRegions;
  tenant.regions.forEach((r, i) => {
    if (!governed.includes(r)) issues.push({ path: [...at, 'regions', i], expected: `one of the governed Regions (${governed.join(', ')})`, found: `"${r}"` });
  });
  issues.push(...duplicates(tenant.regions, (r) => r, (i) => [...at, 'regions', i], 'Region'));
  const usable = config.bedrock.approvedModels.filter((m) => m.access === 'inference-profile' && findCatalogModel(m.modelId)?.kind === 'text').map((m) => m.modelId);
  const approved = config.bedrock.approvedModels.map((m) => m.modelId);
  const { fallback, ...roles } = tenant.models;
  const references: [ConfigPath, string][] = [
    ...Object.entries(roles).map(([role, id]): [ConfigPath, string] => [[...at, 'models', role], id]),
    ...fallback.map((id, i): [ConfigPath, string] => [[...at, 'models', 'fallback', i], id]),
  ];
  for (const [path, id] of modelsValid ? references : []) {
    if (!approved.includes(id)) {
      issues.push(unknownReference(path, id, usable, 'approved text models reached through an inference profile'));
      continue;
    }
    if (!usable.includes(id)) {
      issues.push({ path, expected: `an approved text model with access inference-profile (${usable.join(', ')})`, found: `"${id}"` });
      continue;
    }
    const model = findCatalogModel(id)!;
    for (const r of tenant.regions.filter((region) => governed.includes(region))) {
      const callable = config.bedrock.geographies.some((g) => findGeographicProfile(model, g)?.sourceRegions.includes(r));
      if (!callable) {
        issues.push({ path, expected: `a model with a profile of ${config.bedrock.geographies.join(', ')} callable from ${r}`, found: `"${id}", which has none there` });
      }
    }
  }
  issues.push(...duplicates(fallback, (id) => id, (i) => [...at, 'models', 'fallback', i], 'fallback model'));
  issues.push(...duplicates(tenant.identityProviders, (p) => p.name, (i) => [...at, 'identityProviders', i, 'name'], 'identity provider name'));
  // CloudFront serves a distribution only with an ACM certificate of the distribution's own account (judged only once
  // the tenant's account itself is right: fixing the account may fix this too).
  const certificateAccount = tenant.widget?.certificateArn.split(':')[4];
  if (account && inWorkloadOu(config, account.organizationalUnit) && certificateAccount !== undefined && certificateAccount !== account.id) {
    issues.push({
      path: [...at, 'widget', 'certificateArn'],
      expected: `a certificate of the tenant's account ${account.id} ("${tenant.account}"), where the distribution is`,
      found: `a certificate of account ${certificateAccount}`,
    });
  }
  return issues;
}

/**
 * A reference to an approved model must name one. An approved model id that is not in the catalog is reported once,
 * at its definition (`checkModels`, with the catalog model it likely misspells), and causes no follow-on issue: a
 * reference that names the invalid id, or the catalog model the invalid id misspells, is not reported (fixing the
 * definition fixes it); any other reference is judged against the valid approved models, and never told to use an
 * invalid id.
 */
function checkObservability(config: GovernanceConfig): Issue[] {
  const approved = config.bedrock.approvedModels.map((m) => m.modelId);
  const valid = approved.filter((id) => findCatalogModel(id) !== undefined);
  const catalog = MODEL_CATALOG.map((m) => m.modelId);
  /** Catalog model → the index in approvedModels of the invalid id that misspells it. */
  const meant = new Map<string, number>();
  approved.forEach((id, index) => {
    const model = valid.includes(id) ? undefined : didYouMean(id, catalog);
    if (model !== undefined && !meant.has(model)) meant.set(model, index);
  });
  const references = (items: readonly { readonly modelId: string }[], at: ConfigPath): Issue[] => {
    const issues = duplicates(items, (p) => p.modelId, (i) => [...at, i, 'modelId'], 'model id');
    items.forEach((p, i) => {
      if (approved.includes(p.modelId) || meant.has(p.modelId)) return;
      const issue = unknownReference([...at, i, 'modelId'], p.modelId, valid, 'approved models in bedrock.approvedModels');
      const suggestion = didYouMean(p.modelId, [...valid, ...meant.keys()]);
      const misspeltAt = suggestion === undefined ? undefined : meant.get(suggestion);
      issues.push(misspeltAt === undefined
        ? issue
        : { ...issue, hint: `did you mean "${suggestion}"? bedrock.approvedModels[${misspeltAt}].modelId misspells it` });
    });
    return issues;
  };
  return [
    ...references(config.observability.modelPrices, ['observability', 'modelPrices']),
    ...references(config.observability.accountHourlyLimits.models, ['observability', 'accountHourlyLimits', 'models']),
  ];
}

function checkBaseline(config: GovernanceConfig): Issue[] {
  const paths = config.organizationalUnits.map((o) => o.path);
  const names = config.accounts.map((a) => a.name);
  const issues: Issue[] = [];
  (config.baseline.targetOrganizationalUnits ?? []).forEach((p, i) => {
    if (!paths.includes(p)) issues.push(unknownReference(['baseline', 'targetOrganizationalUnits', i], p, paths, 'OU paths in organizationalUnits'));
  });
  issues.push(...checkMetadataOnlyOrganizationalUnits(config));
  const admin = config.baseline.delegatedAdministrator;
  if (admin !== undefined && !names.includes(admin)) issues.push(unknownReference(['baseline', 'delegatedAdministrator'], admin, names, 'account names in accounts'));
  if (admin !== undefined && admin === config.topology.management) {
    issues.push({ path: ['baseline', 'delegatedAdministrator'], expected: 'a member account (leave it out to administer from the management account)', found: `"${admin}"` });
  }
  return issues;
}

/**
 * Metadata-only invocation logging goes to whole StackSet targets: each OU named is a baseline target OU (the StackSet
 * deploys to OUs, so a class of accounts is an OU of their own), named once, and no other target OU lies above or
 * beneath it (its accounts would get two stack instances with different text delivery).
 */
function checkMetadataOnlyOrganizationalUnits(config: GovernanceConfig): Issue[] {
  const at = ['baseline', 'invocationLogging', 'metadataOnlyOrganizationalUnits'];
  const metadataOnly = config.baseline.invocationLogging.metadataOnlyOrganizationalUnits;
  const targets = config.baseline.targetOrganizationalUnits ?? config.organization.workloadOrganizationalUnits;
  const nested = (a: string, b: string) => a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  const issues = duplicates(metadataOnly, (p) => p, (i) => [...at, i], 'OU path');
  metadataOnly.forEach((p, i) => {
    if (!targets.includes(p)) {
      const issue = unknownReference([...at, i], p, targets, 'baseline target OUs (baseline.targetOrganizationalUnits, default organization.workloadOrganizationalUnits)');
      const nestedHint = `"${p}" lies inside or above a target OU: list it in baseline.targetOrganizationalUnits itself`;
      issues.push({ ...issue, hint: targets.some((t) => nested(p, t)) ? nestedHint : issue.hint });
      return;
    }
    const overlapping = targets.filter((t) => nested(p, t) && !metadataOnly.includes(t));
    if (overlapping.length > 0) {
      issues.push({
        path: [...at, i],
        expected: 'a target OU with no other target OU above or beneath it that logs bodies',
        found: `"${p}" overlaps the target OUs ${overlapping.map((t) => `"${t}"`).join(', ')}, whose stack instances deliver bodies to the same accounts`,
      });
    }
  });
  return issues;
}

/** The pipeline's deployment account is an account of the config. */
function checkPipeline(config: GovernanceConfig): Issue[] {
  const account = config.pipeline?.account;
  const names = config.accounts.map((a) => a.name);
  return account !== undefined && !names.includes(account) ? [unknownReference(['pipeline', 'account'], account, names, 'account names in accounts')] : [];
}

function duplicates<T>(items: readonly T[], key: (item: T) => string, path: (index: number) => ConfigPath, what: string): Issue[] {
  const seen = new Map<string, number>();
  const issues: Issue[] = [];
  items.forEach((item, index) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, index);
    else issues.push({ path: path(index), expected: `a unique ${what}`, found: `"${k}", already used at index ${first}` });
  });
  return issues;
}

function unknownReference(path: ConfigPath, value: string, known: readonly string[], what: string): Issue {
  const suggestion = didYouMean(value, known);
  return {
    path,
    expected: `one of the ${what}: ${known.join(', ')}`,
    found: `"${value}"`,
    hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
  };
}

function checkOrganizationalUnits(config: GovernanceConfig): Issue[] {
  const ous = config.organizationalUnits;
  const paths = ous.map((o) => o.path);
  const rootPart = config.organization.rootId.slice('r-'.length);
  const issues = [
    ...duplicates(ous, (o) => o.path, (i) => ['organizationalUnits', i, 'path'], 'OU path'),
    ...duplicates(ous, (o) => o.id, (i) => ['organizationalUnits', i, 'id'], 'OU id'),
  ];
  ous.forEach((ou, i) => {
    const parent = ou.path.split('/').slice(0, -1).join('/');
    if (parent && !paths.includes(parent)) {
      issues.push({ path: ['organizationalUnits', i, 'path'], expected: `its parent OU "${parent}" listed in organizationalUnits`, found: `"${ou.path}" without its parent` });
    }
    if (ou.id.split('-')[1] !== rootPart) {
      issues.push({ path: ['organizationalUnits', i, 'id'], expected: `an OU id under root ${config.organization.rootId} ("ou-${rootPart}-…")`, found: `"${ou.id}"` });
    }
  });
  config.organization.workloadOrganizationalUnits.forEach((p, i) => {
    if (!paths.includes(p)) issues.push(unknownReference(['organization', 'workloadOrganizationalUnits', i], p, paths, 'OU paths in organizationalUnits'));
  });
  return issues;
}

function checkAccounts(config: GovernanceConfig): Issue[] {
  const accounts = config.accounts;
  const names = accounts.map((a) => a.name);
  const paths = config.organizationalUnits.map((o) => o.path);
  const issues = [
    ...duplicates(accounts, (a) => a.name, (i) => ['accounts', i, 'name'], 'account name'),
    ...duplicates(accounts, (a) => a.id, (i) => ['accounts', i, 'id'], 'account id'),
  ];
  accounts.forEach((a, i) => {
    if (a.organizationalUnit !== undefined && !paths.includes(a.organizationalUnit)) {
      issues.push(unknownReference(['accounts', i, 'organizationalUnit'], a.organizationalUnit, paths, 'OU paths in organizationalUnits'));
    }
  });
  const roles = ['management', 'logArchive', 'audit'] as const;
  for (const role of roles) {
    const name = config.topology[role];
    if (!names.includes(name)) issues.push(unknownReference(['topology', role], name, names, 'account names in accounts'));
  }
  issues.push(...duplicates(roles.map((r) => config.topology[r]), (n) => n, (i) => ['topology', roles[i]], 'account for each of management, logArchive and audit'));
  const management = accounts.find((a) => a.name === config.topology.management);
  if (management?.organizationalUnit !== undefined) {
    const index = accounts.indexOf(management);
    issues.push({ path: ['accounts', index, 'organizationalUnit'], expected: 'no OU: the management account sits directly under the root', found: `"${management.organizationalUnit}"` });
  }
  return issues;
}

/**
 * With `enforcement: organization-policy` the root gets one Bedrock policy per governed Region (each names a guardrail
 * of its own Region): they must fit `organization.limits.bedrockPoliciesPerTarget`.
 */
function checkBedrockPolicySlots(config: GovernanceConfig): Issue[] {
  const { governedRegions, limits } = config.organization;
  if (config.bedrock.guardrail.enforcement !== 'organization-policy' || governedRegions.length <= limits.bedrockPoliciesPerTarget) return [];
  return [{
    path: ['organization', 'governedRegions'],
    expected: `at most ${limits.bedrockPoliciesPerTarget} governed Regions with bedrock.guardrail.enforcement organization-policy: `
      + `the root holds one Bedrock policy per Region and at most ${limits.bedrockPoliciesPerTarget} (organization.limits.bedrockPoliciesPerTarget)`,
    found: `${governedRegions.length} Regions`,
    hint: 'use bedrock.guardrail.enforcement: account, or govern fewer Regions',
  }];
}

function checkRegions(config: GovernanceConfig): Issue[] {
  const geographies = config.bedrock.geographies.map((g) => GEOGRAPHIES[g]);
  const allowed = geographies.flatMap((g) => g.regions);
  const { homeRegion, governedRegions } = config.organization;
  const issues: Issue[] = duplicates(config.bedrock.geographies, (g) => g, (i) => ['bedrock', 'geographies', i], 'geography');
  governedRegions.forEach((r, i) => {
    if (!allowed.includes(r)) {
      issues.push({
        path: ['organization', 'governedRegions', i],
        expected: `a Region of the CRI geographies in bedrock.geographies (${geographies.map((g) => `${g.id}: ${g.regions.join(', ')}`).join('; ')})`,
        found: `"${r}"`,
      });
    }
  });
  issues.push(...duplicates(governedRegions, (r) => r, (i) => ['organization', 'governedRegions', i], 'Region'));
  if (!governedRegions.includes(homeRegion)) {
    issues.push({ path: ['organization', 'homeRegion'], expected: `one of the governedRegions (${governedRegions.join(', ')})`, found: `"${homeRegion}"` });
  }
  return issues;
}

/**
 * An approved model must be callable the way the config says: through a profile of an approved geography that can be
 * called from at least one governed Region (it is usable only in the governed Regions its profiles are sourced from), or
 * as an in-Region exception when no approved geography has a profile for it.
 */
/**
 * The batch jobs that may name a foundation model directly (BR-CRI-1's batch exception) are approved models, and only
 * mean something while batch inference is allowed.
 */
function checkBedrockPaths(config: GovernanceConfig): Issue[] {
  const { paths, approvedModels } = config.bedrock;
  const at = ['bedrock', 'paths', 'batchInferenceWithoutProfile'];
  const approved = approvedModels.map((m) => m.modelId);
  const issues = duplicates(paths.batchInferenceWithoutProfile, (m) => m, (i) => [...at, i], 'model id');
  paths.batchInferenceWithoutProfile.forEach((m, i) => {
    if (!approved.includes(m)) issues.push(unknownReference([...at, i], m, approved, 'approved models in bedrock.approvedModels'));
  });
  if (paths.batchInferenceWithoutProfile.length > 0 && paths.batchInference === 'deny') {
    issues.push({
      path: at,
      expected: 'no models while bedrock.paths.batchInference is deny (the exception is for batch jobs, which are all denied)',
      found: paths.batchInferenceWithoutProfile.map((m) => `"${m}"`).join(', '),
    });
  }
  return issues;
}

/** BR-VPCE-1 attaches to workload OUs only: the Bedrock SCPs and the baseline's endpoints are there. */
function checkRequireVpcEndpoint(config: GovernanceConfig): Issue[] {
  const workloadOus = config.organization.workloadOrganizationalUnits;
  const at = ['bedrock', 'requireVpcEndpoint'];
  const issues = duplicates(config.bedrock.requireVpcEndpoint, (p) => p, (i) => [...at, i], 'OU path');
  config.bedrock.requireVpcEndpoint.forEach((p, i) => {
    if (!workloadOus.includes(p)) issues.push(unknownReference([...at, i], p, workloadOus, 'workload OU paths in organization.workloadOrganizationalUnits'));
  });
  return issues;
}

function checkModels(config: GovernanceConfig): Issue[] {
  const { geographies, approvedModels } = config.bedrock;
  const governed = config.organization.governedRegions;
  const prefixes = geographies.map((g) => `${g}.`).join(', ');
  const issues = duplicates(approvedModels, (m) => m.modelId, (i) => ['bedrock', 'approvedModels', i, 'modelId'], 'model id');
  approvedModels.forEach((approved, i) => {
    const path = ['bedrock', 'approvedModels', i];
    const model = findCatalogModel(approved.modelId);
    if (!model) {
      issues.push(unknownReference([...path, 'modelId'], approved.modelId, MODEL_CATALOG.map((m) => m.modelId), 'models in policies/catalog/models.ts'));
      return;
    }
    const profiles = geographies.map((g) => findGeographicProfile(model, g)).filter((p) => p !== undefined);
    if (approved.access === 'inference-profile') {
      if (profiles.length === 0) {
        issues.push({
          path: [...path, 'access'],
          expected: `a model with a ${prefixes} inference profile, or access "in-region" for an exception`,
          found: `"inference-profile", but ${model.modelId} has no ${prefixes} profile in the catalog`,
        });
      } else if (!profiles.some((p) => p.sourceRegions.some((r) => governed.includes(r)))) {
        issues.push({
          path: [...path, 'modelId'],
          expected: 'a model whose profile can be called from at least one governed Region',
          found: `${model.modelId}, whose ${prefixes} profiles have none of ${governed.join(', ')} as a source Region`,
        });
      }
    } else if (profiles.length > 0) {
      issues.push({
        path: [...path, 'access'],
        expected: `"inference-profile": ${model.modelId} has a ${profiles.map((p) => `${p.geography}.`).join(', ')} profile, so an in-Region exception is not needed`,
        found: '"in-region"',
      });
    }
  });
  return issues;
}
