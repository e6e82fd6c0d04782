import type { OrganizationLimits } from '../../config/organization-limits';
import type { GovernanceConfig } from '../../config/schema';
import type { AttachmentPoint, AuthorizationPolicyType, ControlStatements } from '../control';
import { minify, policyDocument, type PolicyDocument, type PolicyStatement } from '../policy-document';
import { packStatements, statementCharacters } from './pack';
import { resolveTargets, type PolicyTarget } from './targets';

/** Per policy type: the policy AWS keeps attached everywhere, and the short name in policy names and messages. */
export const POLICY_TYPES: Readonly<Record<AuthorizationPolicyType, { alwaysAttached: string; short: string }>> = {
  SERVICE_CONTROL_POLICY: { alwaysAttached: 'FullAWSAccess', short: 'scp' },
  RESOURCE_CONTROL_POLICY: { alwaysAttached: 'RCPFullAWSAccess', short: 'rcp' },
};

/** The limits of one policy type: characters per document, slots per target, and the slots not this tool's. */
export interface PolicyTypeLimits {
  readonly characters: number;
  readonly slots: number;
  /** The always-attached policy plus the configured reserve. */
  readonly reserved: number;
}

/** The limits of a policy type, from `organization.limits`. */
export function policyTypeLimits(limits: OrganizationLimits, type: AuthorizationPolicyType): PolicyTypeLimits {
  return type === 'SERVICE_CONTROL_POLICY'
    ? { characters: limits.scpCharacters, slots: limits.scpsPerTarget, reserved: 1 + limits.reservedScpSlots }
    : { characters: limits.rcpCharacters, slots: limits.rcpsPerTarget, reserved: 1 + limits.reservedRcpSlots };
}

/** One Organizations policy as the compiler emits it. */
export interface CompiledPolicy {
  /** Stable name: `genai-governance-<scp|rcp>-<attachment point>-<n>`. */
  readonly name: string;
  readonly policyType: AuthorizationPolicyType;
  readonly controls: readonly string[];
  readonly document: PolicyDocument;
  /** Minified length, what Organizations counts against the limit. */
  readonly characters: number;
  /** The character limit it was packed to. */
  readonly limit: number;
  readonly targets: readonly PolicyTarget[];
}

/** Slots of one policy type at one target. */
export interface TargetBudget {
  readonly target: PolicyTarget;
  readonly policyType: AuthorizationPolicyType;
  /** This tool's policies at the target. */
  readonly used: number;
  /** The always-attached policy plus the configured reserve. */
  readonly reserved: number;
  readonly limit: number;
}

export interface CompiledOrganizationPolicies {
  readonly policies: readonly CompiledPolicy[];
  readonly budgets: readonly TargetBudget[];
}

/** Thrown when a target's policies cannot fit its slots, or a statement cannot fit a policy: the message is the budget table. */
export class PolicyBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyBudgetError';
  }
}

/**
 * Compiles the controls into Organizations policies: for each policy type and attachment point, the statements that
 * apply are packed into as few documents as fit the character limit, and each target's slots (the documents of every
 * attachment point that reaches it) are checked against its budget (the always-attached policy and the reserve included). The limits are `limits`, by default the config's
 * `organization.limits`. Fails with a `PolicyBudgetError` naming the target, the slots and the statements when
 * anything cannot fit.
 */
export function compileOrganizationPolicies(
  config: GovernanceConfig, controls: readonly ControlStatements[], limits: OrganizationLimits = config.organization.limits,
): CompiledOrganizationPolicies {
  const policies: CompiledPolicy[] = [];
  const budgets: TargetBudget[] = [];
  const problems: string[] = [];
  const groups = new Map<string, { type: AuthorizationPolicyType; point: AttachmentPoint; controls: ControlStatements[] }>();
  const slots = new Map<string, { target: PolicyTarget; type: AuthorizationPolicyType; documents: number; statements: PolicyStatement[] }>();
  for (const c of controls) {
    const key = `${c.policyType}/${c.attachTo}`;
    const group = groups.get(key) ?? { type: c.policyType, point: c.attachTo, controls: [] };
    group.controls.push(c);
    groups.set(key, group);
  }

  for (const { type, point, controls: groupControls } of groups.values()) {
    const { short } = POLICY_TYPES[type];
    const { characters } = policyTypeLimits(limits, type);
    const statements = groupControls.flatMap((c) => c.statements);
    const controlOf = new Map<PolicyStatement, string>(groupControls.flatMap((c) => c.statements.map((s) => [s, c.controlId] as const)));
    const { documents, oversized } = packStatements(statements, characters);
    for (const s of oversized) {
      problems.push(`  ${s.Sid} (${controlOf.get(s)}) is ${statementCharacters(s) - 1} characters: no ${short.toUpperCase()} can hold it (limit ${characters})`);
    }
    const targets = resolveTargets(config, point);
    for (const target of targets) {
      const key = `${type}/${target.id}`;
      const slot = slots.get(key) ?? { target, type, documents: 0, statements: [] };
      slot.documents += documents.length;
      slot.statements.push(...statements);
      slots.set(key, slot);
    }
    documents.forEach((docStatements, i) => {
      const document = policyDocument(docStatements);
      policies.push({
        name: `genai-governance-${short}-${point}-${i + 1}`,
        policyType: type,
        controls: [...new Set(docStatements.map((s) => controlOf.get(s)!))],
        document,
        characters: minify(document).length,
        limit: characters,
        targets,
      });
    });
  }

  // A target's slots hold the policies of every attachment point that reaches it (a workload OU also takes BR-VPCE-1's).
  for (const { target, type, documents, statements } of slots.values()) {
    const { alwaysAttached, short } = POLICY_TYPES[type];
    const { slots: limit, reserved } = policyTypeLimits(limits, type);
    budgets.push({ target, policyType: type, used: documents, reserved, limit });
    if (documents + reserved > limit) {
      problems.push(`  ${target.label} (${target.id}): ${documents} ${short.toUpperCase()}s needed + ${reserved} reserved (${alwaysAttached}`
        + `${reserved > 1 ? ` + ${reserved - 1} configured` : ''}) > ${limit} slots; statements: `
        + statements.map((s) => `${s.Sid} ${statementCharacters(s) - 1}`).join(', '));
    }
  }

  const result = { policies, budgets };
  if (problems.length > 0) {
    throw new PolicyBudgetError(['Organizations policies do not fit their budget:', ...problems, '', renderBudgetTable(result)].join('\n'));
  }
  return result;
}

/** The budget table: characters used of the limit per policy, slots used per target. */
export function renderBudgetTable({ policies, budgets }: CompiledOrganizationPolicies): string {
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const lines = ['Policy budget', `  ${pad('policy', 46)}${pad('characters', 20)}controls`];
  for (const p of policies) {
    lines.push(`  ${pad(p.name, 46)}${pad(`${p.characters} / ${p.limit}`, 20)}${p.controls.join(', ')}`);
  }
  lines.push('', `  ${pad('target', 40)}${pad('type', 26)}slots (this tool + reserved / limit)`);
  for (const b of budgets) {
    lines.push(`  ${pad(`${b.target.label} ${b.target.id}`, 40)}${pad(b.policyType, 26)}${b.used} + ${b.reserved} / ${b.limit}`);
  }
  return lines.join('\n');
}
