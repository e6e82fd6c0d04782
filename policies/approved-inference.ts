import { foundationModelArn } from './arns';
import { findCatalogModel, findGeographicProfile } from '../catalog/models';
import type { GovernanceConfig } from '../config/schema';

export interface ApprovedInference {
  /** `arn:aws:bedrock:*:<account>:inference-profile/<geography>.<model>` per approved model and geography. */
  readonly profileArns: string[];
  /** `arn:aws:bedrock:*:<account>:inference-profile/<geography>.*` per approved geography with an approved model. */
  readonly profilePatterns: string[];
  /** `arn:aws:bedrock:*::foundation-model/<model>` per approved profile model. */
  readonly modelArns: string[];
  /** The in-Region exceptions' foundation-model ARNs in each governed Region. */
  readonly exceptionArns: string[];
  /** Approved models with a `global.` profile, when the config allows global inference. */
  readonly globalModels: string[];
}

/**
 * What the config lets workloads invoke in `account`, written per model with the Region as a wildcard so policies stay
 * within their size limits at any number of Regions: where a call may start is an `aws:RequestedRegion` condition of
 * the policy using it, where it may be served is ORG-REGION-1's job. Used by BL-IAM-1 and the BL-VPCE-1 endpoint policy.
 */
export function approvedInference(config: GovernanceConfig, account: string): ApprovedInference {
  const profileArns = new Set<string>();
  const profilePatterns = new Set<string>();
  const modelArns = new Set<string>();
  const exceptionArns: string[] = [];
  const globalModels: string[] = [];
  for (const approved of config.bedrock.approvedModels) {
    const model = findCatalogModel(approved.modelId)!;
    if (approved.access === 'in-region') {
      config.organization.governedRegions.forEach((r) => exceptionArns.push(foundationModelArn(r, model.modelId)));
      continue;
    }
    for (const geography of config.bedrock.geographies) {
      if (!findGeographicProfile(model, geography)) continue;
      profileArns.add(`arn:aws:bedrock:*:${account}:inference-profile/${geography}.${model.modelId}`);
      profilePatterns.add(`arn:aws:bedrock:*:${account}:inference-profile/${geography}.*`);
      modelArns.add(foundationModelArn('*', model.modelId));
    }
    if (config.bedrock.globalInference === 'allow' && model.globalProfile) globalModels.push(model.modelId);
  }
  return { profileArns: [...profileArns], profilePatterns: [...profilePatterns], modelArns: [...modelArns], exceptionArns, globalModels };
}


/**
 * The system inference-profile ids a workload may call from `region`: for each approved profile model, the profile of
 * each approved geography whose source Regions include `region`, and its `global.` profile when the config allows global
 * inference. What the workload contract publishes (`/genai-governance/workload/inference-profile-ids`).
 */
export function inferenceProfileIds(config: GovernanceConfig, region: string): string[] {
  const ids: string[] = [];
  for (const approved of config.bedrock.approvedModels.filter((m) => m.access === 'inference-profile')) {
    const model = findCatalogModel(approved.modelId)!;
    for (const geography of config.bedrock.geographies) {
      if (findGeographicProfile(model, geography)?.sourceRegions.includes(region)) ids.push(`${geography}.${model.modelId}`);
    }
    if (config.bedrock.globalInference === 'allow' && model.globalProfile) ids.push(`global.${model.modelId}`);
  }
  return ids;
}
