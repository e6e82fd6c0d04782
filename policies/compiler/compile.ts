import type { GovernanceConfig } from '../../config/schema';
import type { AttachmentPoint, AuthorizationPolicyType, ControlStatements } from '../control';
import { RCP_MAX_CHARACTERS, SCP_MAX_CHARACTERS, minify, policyDocument, type PolicyDocument, type PolicyStatement } from '../policy-document';
import { packStatements, statementCharacters } from './pack';
import { resolveTargets, type PolicyTarget } from './targets';

/** Per policy type: the document limit, the policy AWS keeps attached everywhere, and the slots per target. */
export const POLICY_TYPE_LIMITS: Readonly<Record<AuthorizationPolicyType, { characters: number; alwaysAttached: string; short: string }>> = {
  SERVICE_CONTROL_POLICY: { characters: SCP_MAX_CHARACTERS, alwaysAttached: 'FullAWSAccess', short: 'scp' },
  RESOURCE_CONTROL_POLICY: { characters: RCP_MAX_CHARACTERS, alwaysAttached: 'RCPFullAWSAccess', short: 'rcp' },
};

/** One Organizations policy as the compiler emits it. */
export interface CompiledPolicy {
  /** Stable name: `genai-governance-<scp|rcp>-<attachment point>-<n>`. */
  readonly name: string;
  readonly policyType: AuthorizationPolicyType;
  readonly controls: readonly string[];
  readonly document: PolicyDocument;
  /** Minified length, what Organizations counts against the limit. */
  readonly characters: number;
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

/** Slots of a policy type per target: `scpBudget` for SCPs; RCPs share the quota of 5 with RCPFullAWSAccess. */
export function slotBudget(config: GovernanceConfig, type: AuthorizationPolicyType): { limit: number; reserved: number } {
  return type === 'SERVICE_CONTROL_POLICY'
    ? { limit: config.scpBudget.slotsPerTarget, reserved: 1 + config.scpBudget.reservedSlots }
    : { limit: 5, reserved: 1 };
}

/**
 * Compiles the controls into Organizations policies: for each policy type and attachment point, the statements that
 * apply are packed into as few documents as fit the character limit, and each target's slots are checked against its
 * budget. Fails with a `PolicyBudgetError` naming the target, the slots and the statements when anything cannot fit.
 */
export function compileOrganizationPolicies(config: GovernanceConfig, controls: readonly ControlStatements[]): CompiledOrganizationPolicies {
  const policies: CompiledPolicy[] = [];
  const budgets: TargetBudget[] = [];
  const problems: string[] = [];
  const groups = new Map<string, { type: AuthorizationPolicyType; point: AttachmentPoint; controls: ControlStatements[] }>();
  for (const c of controls) {
    const key = `${c.policyType}/${c.attachTo}`;
    const group = groups.get(key) ?? { type: c.policyType, point: c.attachTo, controls: [] };
    group.controls.push(c);
    groups.set(key, group);
  }

  for (const { type, point, controls: groupControls } of groups.values()) {
    const limits = POLICY_TYPE_LIMITS[type];
    const statements = groupControls.flatMap((c) => c.statements);
    const controlOf = new Map<PolicyStatement, string>(groupControls.flatMap((c) => c.statements.map((s) => [s, c.controlId] as const)));
    const { documents, oversized } = packStatements(statements, limits.characters);
    for (const s of oversized) {
      problems.push(`  ${s.Sid} (${controlOf.get(s)}) is ${statementCharacters(s) - 1} characters: no ${limits.short.toUpperCase()} can hold it (limit ${limits.characters})`);
    }
    const targets = resolveTargets(config, point);
    documents.forEach((docStatements, i) => {
      const document = policyDocument(docStatements);
      policies.push({
        name: `genai-governance-${limits.short}-${point}-${i + 1}`,
        policyType: type,
        controls: [...new Set(docStatements.map((s) => controlOf.get(s)!))],
        document,
        characters: minify(document).length,
        targets,
      });
    });
    const { limit, reserved } = slotBudget(config, type);
    for (const target of targets) {
      budgets.push({ target, policyType: type, used: documents.length, reserved, limit });
      if (documents.length + reserved > limit) {
        problems.push(`  ${target.label} (${target.id}): ${documents.length} ${limits.short.toUpperCase()}s needed + ${reserved} reserved (${limits.alwaysAttached}`
          + `${reserved > 1 ? ` + ${reserved - 1} configured` : ''}) > ${limit} slots; statements: `
          + statements.map((s) => `${s.Sid} ${statementCharacters(s) - 1}`).join(', '));
      }
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
    const limit = POLICY_TYPE_LIMITS[p.policyType].characters;
    lines.push(`  ${pad(p.name, 46)}${pad(`${p.characters} / ${limit}`, 20)}${p.controls.join(', ')}`);
  }
  lines.push('', `  ${pad('target', 40)}${pad('type', 26)}slots (this tool + reserved / limit)`);
  for (const b of budgets) {
    lines.push(`  ${pad(`${b.target.label} ${b.target.id}`, 40)}${pad(b.policyType, 26)}${b.used} + ${b.reserved} / ${b.limit}`);
  }
  return lines.join('\n');
}
