import type { Template } from './assembly';

/**
 * A template value as CloudFormation would resolve it in one account × Region, where the template alone tells:
 * literals, the pseudo parameters, `Fn::Join`, `Fn::Sub` over pseudo parameters, a `Ref` to a bucket or log group with
 * a resolvable name, and `Fn::GetAtt [role, Arn]` of a role with a resolvable name. When the placement names the stack
 * instance's parameter values, also a `Ref` to a template parameter (its value there, else its default) and `Fn::If`
 * over conditions of `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition`. Anything else (an id AWS assigns
 * at deploy time) is `undefined`: the verifier then has no expectation to state, and leaves the fact out.
 */

/** Where the template is deployed. */
export interface Placement {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /**
   * The stack instance's parameter overrides (a StackSet group's `ParameterOverrides`).
   * @default - parameters unknown: a `Ref` to a parameter and `Fn::If` resolve to `undefined`
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The property that names each kind of resource a `Ref` may point to. */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::IAM::Role': 'RoleName',
};

function pseudo(name: string, placement: Placement): string | undefined {
  switch (name) {
    case 'AWS::AccountId': return placement.account;
    case 'AWS::Region': return placement.region;
    case 'AWS::Partition': return placement.partition ?? 'aws';
    case 'AWS::URLSuffix': return 'amazonaws.com';
    default: return undefined;
  }
}

/** The resolved value, or `undefined` when the template alone does not tell it. */
export function resolveValue(value: unknown, template: Template, placement: Placement): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => resolveValue(v, template, placement));
    return items.some((v) => v === undefined) ? undefined : items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref') return resolveRef(String(arg), template, placement);
    if (key === 'Fn::Join') return resolveJoin(arg, template, placement);
    if (key === 'Fn::Sub') return resolveSub(arg, placement);
    if (key === 'Fn::GetAtt') return resolveRoleArn(arg, template, placement);
    if (key === 'Fn::If') return resolveIf(arg, template, placement);
    if (key.startsWith('Fn::')) return undefined;
  }
  const resolved = entries.map(([k, v]) => [k, resolveValue(v, template, placement)] as const);
  return resolved.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(resolved);
}

/** A resolved value that is a string, else `undefined`. */
export function resolveString(value: unknown, template: Template, placement: Placement): string | undefined {
  const resolved = resolveValue(value, template, placement);
  return typeof resolved === 'string' ? resolved : undefined;
}

function resolveRef(name: string, template: Template, placement: Placement): unknown {
  if (name.startsWith('AWS::')) return pseudo(name, placement);
  const parameter = template.Parameters?.[name];
  if (parameter) return placement.parameters ? placement.parameters[name] ?? parameter.Default : undefined;
  const resource = template.Resources?.[name];
  const property = resource && NAME_PROPERTY[resource.Type];
  return property ? resolveValue(resource.Properties?.[property], template, placement) : undefined;
}

function resolveJoin(arg: unknown, template: Template, placement: Placement): string | undefined {
  if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return undefined;
  const parts = (arg[1] as unknown[]).map((p) => resolveValue(p, template, placement));
  return parts.every((p) => typeof p === 'string') ? parts.join(arg[0]) : undefined;
}

function resolveSub(arg: unknown, placement: Placement): string | undefined {
  if (typeof arg !== 'string') return undefined;
  let unresolved = false;
  const text = arg.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
    const value = pseudo(name, placement);
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? undefined : text;
}

function resolveRoleArn(arg: unknown, template: Template, placement: Placement): string | undefined {
  if (!Array.isArray(arg) || arg[1] !== 'Arn') return undefined;
  const role = template.Resources?.[String(arg[0])];
  if (role?.Type !== 'AWS::IAM::Role') return undefined;
  const name = resolveString(role.Properties?.RoleName, template, placement);
  const rolePath = role.Properties?.Path === undefined ? '/' : resolveString(role.Properties.Path, template, placement);
  return name && rolePath ? `arn:${placement.partition ?? 'aws'}:iam::${placement.account}:role${rolePath}${name}` : undefined;
}

function resolveIf(arg: unknown, template: Template, placement: Placement): unknown {
  if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return undefined;
  const holds = evaluateCondition({ Condition: arg[0] }, template, placement);
  return holds === undefined ? undefined : resolveValue(holds ? arg[1] : arg[2], template, placement);
}

/** A condition's truth in the placement, or `undefined` when the template alone does not tell it. */
function evaluateCondition(expression: unknown, template: Template, placement: Placement, depth = 0): boolean | undefined {
  if (depth > 20 || expression === null || typeof expression !== 'object' || Array.isArray(expression)) return undefined;
  const entries = Object.entries(expression as Record<string, unknown>);
  if (entries.length !== 1) return undefined;
  const [key, arg] = entries[0];
  const each = (items: unknown) => (Array.isArray(items) ? items.map((i) => evaluateCondition(i, template, placement, depth + 1)) : [undefined]);
  switch (key) {
    case 'Condition': return typeof arg === 'string' ? evaluateCondition(template.Conditions?.[arg], template, placement, depth + 1) : undefined;
    case 'Fn::Not': { const [v] = each(arg); return v === undefined ? undefined : !v; }
    case 'Fn::And': { const vs = each(arg); return vs.includes(undefined) ? undefined : vs.every(Boolean); }
    case 'Fn::Or': { const vs = each(arg); return vs.includes(undefined) ? undefined : vs.some(Boolean); }
    case 'Fn::Equals': {
      if (!Array.isArray(arg) || arg.length !== 2) return undefined;
      const [a, b] = arg.map((v) => resolveValue(v, template, placement));
      return typeof a === 'string' && typeof b === 'string' ? a === b : undefined;
    }
    default: return undefined;
  }
}
