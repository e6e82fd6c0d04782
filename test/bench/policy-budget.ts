import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { stringify } from 'yaml';
import { INLINE_CODE_MAX_BYTES } from '../../building-blocks/custom-resources/inline-handler';
import { GEOGRAPHIES } from '../../catalog/geographies';
import { MODEL_CATALOG } from '../../catalog/models';
import { accountIdOf } from '../../config/accounts';
import { parseConfig } from '../../config/load';
import type { GovernanceConfig } from '../../config/schema';
import { METRICS_INSIGHTS_QUOTAS } from '../../dashboards/metrics/metrics-insights';
import { minify } from '../../policies/policy-document';
import { MANAGED_POLICY_MAX_CHARACTERS, criInvokePolicies, workloadPermissionBoundary } from '../../policies/workload-iam';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate } from '../../stacks/estate';
import { HEADROOM_FLAG, describeLimits, organizationPolicyUsage } from '../../stacks/summary';
import { TEMPLATE_BODY_MAX_BYTES, TEMPLATE_BYTES_METADATA, TEMPLATE_URL_MAX_BYTES } from '../../stacksets/rollout/service-managed-stack-set';
import { exampleConfig } from '../support/example-config';
import { PROJECT_ROOT } from '../support/run-app';

/**
 * `npx projen bench:policy-budget`: the headroom of every limit the product depends on, read from the synthesized
 * assembly (so it shows what would deploy), for the example organization, the example under the conservative
 * `pre-2026-05` limits, and a stress organization (20 approved models, 3 geographies, 8 governed Regions, every tamper
 * rule; it goes through the real loader, so it is valid):
 *
 * - each Organizations policy against its character limit (`organization.limits`; a Bedrock policy by the size its
 *   stack measured with the longest guardrail identifier);
 * - policies per target against the slot limit, counting `FullAWSAccess`/`RCPFullAWSAccess` and the reserve;
 * - each StackSet member template against the 51,200-byte `TemplateBody` or 1 MB `TemplateURL` quota;
 * - each inline Lambda handler (`Code.ZipFile`) in any template against 4,096 bytes;
 * - the workload IAM managed policies (BL-IAM-1) against 6,144 characters, measured on the documents with a concrete
 *   account (the templates hold them with unresolved account ids);
 * - the alarms on Metrics Insights queries in each Region's observability stack (DASH-1) against the default quota of
 *   200 per account and Region (synth itself fails above 160).
 *
 * Anything with less than 20 % headroom is flagged, and listed again at the end.
 */
const OUT = path.join(PROJECT_ROOT, 'bench-out', 'policy-budget');

function stressConfig(): GovernanceConfig {
  const base = exampleConfig();
  const governed = ['eu-central-1', 'eu-west-1', 'eu-west-3', 'us-east-1', 'us-east-2', 'us-west-2', 'ap-northeast-1', 'ap-southeast-2'];
  const text = MODEL_CATALOG.filter((m) => m.profiles.length > 0).map((m) => ({ modelId: m.modelId, access: 'inference-profile' as const, reason: 'stress benchmark model' }));
  const exceptions = ['amazon.titan-embed-text-v2:0', 'cohere.rerank-v3-5:0'].map((modelId) => ({ modelId, access: 'in-region' as const, reason: 'stress benchmark exception' }));
  const approvedModels = [...text, ...exceptions].slice(0, 20);
  // Prices may name only approved models.
  const modelPrices = base.observability.modelPrices.filter((p) => approvedModels.some((m) => m.modelId === p.modelId));
  const input = {
    ...base,
    organization: { ...base.organization, governedRegions: governed },
    bedrock: { ...base.bedrock, geographies: ['eu', 'us', 'apac'], approvedModels },
    observability: { ...base.observability, modelPrices },
  };
  return parseConfig(stringify(input), 'stress (generated)');
}

/** The example with `organization.limits.profile: pre-2026-05` (5 SCPs of 5,120 characters), its reserve kept. */
function conservativeConfig(): GovernanceConfig {
  const base = exampleConfig();
  const limits = { profile: 'pre-2026-05', reservedScpSlots: base.organization.limits.reservedScpSlots };
  return parseConfig(stringify({ ...base, organization: { ...base.organization, limits } }), 'example, pre-2026-05 limits (generated)');
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, unknown>;
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    return statSync(f).isDirectory() ? templateFiles(f) : n.endsWith('.template.json') ? [f] : [];
  });
}

/** Synthesizes the estate of `config` (path metadata on, as under the CDK CLI) and returns its templates' resources. */
function synthesize(name: string, config: GovernanceConfig): { file: string; logicalId: string; resource: Resource }[] {
  const outdir = path.join(OUT, name);
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context: { ...APP_CONTEXT, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true } });
  buildEstate(app, config);
  app.synth();
  return templateFiles(outdir).sort().flatMap((file) => {
    const resources = (JSON.parse(readFileSync(file, 'utf8')).Resources ?? {}) as Record<string, Resource>;
    return Object.entries(resources).map(([logicalId, resource]) => ({ file: path.relative(outdir, file), logicalId, resource }));
  });
}

const flagged: string[] = [];

/** Rows of a section: label, used of the limit, percent, headroom, flag; printed in columns as wide as their content. */
type Row = readonly [string, string, string, string, string];

/** One row: used of the limit, percent, headroom; flagged under 20 % headroom. */
function row(scenario: string, label: string, used: number, limit: number, unit: string): Row {
  const low = limit - used < HEADROOM_FLAG * limit;
  if (low) flagged.push(`${scenario}: ${label} ${used} / ${limit} ${unit}`);
  return [label, `${used} / ${limit} ${unit}`, `${((100 * used) / limit).toFixed(1)}%`, `headroom ${limit - used}`, low ? `<< under ${100 * HEADROOM_FLAG} % headroom` : ''];
}

function section(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) console.log('  none');
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) {
    console.log(`  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}  ${r[3].padEnd(widths[3])}  ${r[4]}`.trimEnd());
  }
}

function report(scenario: string, config: GovernanceConfig): void {
  const limits = config.organization.limits;
  const resources = synthesize(scenario.replace(/[^a-z0-9]+/gi, '-'), config);
  console.log(`\n== ${scenario}: ${config.bedrock.approvedModels.length} approved models, geographies ${config.bedrock.geographies.join('+')}, `
    + `${config.organization.governedRegions.length} governed Regions (${Object.values(GEOGRAPHIES).length} known geographies)`);
  console.log(`   organization.limits ${describeLimits(limits)}`);

  const usage = organizationPolicyUsage(resources.map(({ logicalId, resource }) => [logicalId, resource] as const), config);
  section('Organizations policies (characters)', usage.policies.map(({ name, type, characters, budget }) =>
    row(scenario, `${name} (${type})`, characters, budget!.characters, 'characters')));
  section('Policies per target (this tool\'s + FullAWSAccess/RCPFullAWSAccess + reserved, of the slots)', usage.targets.map(({ label, type, attached, budget }) =>
    row(scenario, `${label} ${type} (${attached} + ${budget!.reserved})`, attached + budget!.reserved, budget!.slots, 'slots')));

  section('StackSet member templates (bytes as deployed)', resources.filter((x) => x.resource.Type === 'AWS::CloudFormation::StackSet').map(({ logicalId, resource: r }) => {
    const p = r.Properties ?? {};
    const inline = p.TemplateBody !== undefined;
    const bytes = Number(r.Metadata?.[TEMPLATE_BYTES_METADATA] ?? Buffer.byteLength(String(p.TemplateBody ?? ''), 'utf8'));
    return row(scenario, `${p.StackSetName ?? logicalId} (${inline ? 'TemplateBody' : 'TemplateURL'})`, bytes,
      inline ? TEMPLATE_BODY_MAX_BYTES : TEMPLATE_URL_MAX_BYTES, 'bytes');
  }));

  const functions = resources.filter((x) => x.resource.Type === 'AWS::Lambda::Function');
  const functionName = ({ logicalId, resource: r }: typeof functions[number]) => (typeof r.Properties?.FunctionName === 'string' ? r.Properties.FunctionName : logicalId);
  section('Inline Lambda handlers (Code.ZipFile bytes)', functions.filter((f) => typeof f.resource.Properties?.Code?.ZipFile === 'string').map((f) => {
    const stack = path.basename(f.file, '.template.json');
    return row(scenario, `${functionName(f)} (${stack})`, Buffer.byteLength(f.resource.Properties!.Code.ZipFile, 'utf8'), INLINE_CODE_MAX_BYTES, 'bytes');
  }));
  const assets = functions.filter((f) => typeof f.resource.Properties?.Code?.ZipFile !== 'string').map(functionName);
  if (assets.length > 0) console.log(`  code assets (S3), no ZipFile quota: ${[...new Set(assets)].join(', ')}`);

  // DASH-1: alarms on Metrics Insights queries per account and Region (the audit account's observability stack of each Region).
  section('Metrics Insights alarms per Region (DASH-1, audit account)', [...new Set(resources.map((x) => x.file))]
    .filter((f) => path.basename(f).startsWith('GovernanceObservability-')).map((file) => {
      const insights = resources.filter((x) => x.file === file && x.resource.Type === 'AWS::CloudWatch::Alarm'
        && ((x.resource.Properties?.Metrics ?? []) as { Expression?: string }[]).some((q) => /^\s*SELECT\b/i.test(q.Expression ?? '')));
      return row(scenario, path.basename(file, '.template.json'), insights.length, METRICS_INSIGHTS_QUOTAS.alarmsPerRegion, 'alarms');
    }));

  const management = accountIdOf(config, config.topology.management);
  const account = '123456789012';
  section('Workload IAM managed policies (BL-IAM-1, characters, measured with account 123456789012)', [
    ...criInvokePolicies(config, account, management).map((d, i) => row(scenario, `CRI-only invoke policy ${i + 1}`, minify(d).length, MANAGED_POLICY_MAX_CHARACTERS, 'characters')),
    row(scenario, 'workload permission boundary', minify(workloadPermissionBoundary(config, account, management)).length, MANAGED_POLICY_MAX_CHARACTERS, 'characters'),
  ]);
}

report('example organization', exampleConfig());
report('example organization, pre-2026-05 limits', conservativeConfig());
report('stress organization', stressConfig());
console.log(`\n${flagged.length === 0 ? `Nothing under ${100 * HEADROOM_FLAG} % headroom.` : `Under ${100 * HEADROOM_FLAG} % headroom:\n${flagged.map((f) => `  ${f}`).join('\n')}`}`);
