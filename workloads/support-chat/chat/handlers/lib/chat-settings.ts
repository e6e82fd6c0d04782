import { z } from 'zod';
import { DEFAULT_BUDGET_RULES, validateBudgetRules, type BudgetRules } from './budget';
import { ROUTER_PROMPT, type RouterPromptTemplate } from './router';
import type { TenantModels } from '../../../tenant/tenant-models';

/**
 * The tenant's run-time settings, hosted in AWS AppConfig: which approved profile serves each role and the fallback
 * chain, the budget rules (routing by question class and the downgrade tiers), the prompt templates with semantic
 * versions, feature flags, and the per-user message rate. The same zod schema is the JSON Schema validator AppConfig runs
 * before a version can deploy (`settingsJsonSchema`, Draft 4) and the handler's check of what it reads
 * (`parseChatSettings`), which adds what JSON Schema cannot say (thresholds descending, tiers never upgrading).
 */

/** A prompt template of the answering model. */
export interface AnswerPromptTemplate {
  /** `answer@MAJOR.MINOR.PATCH`. */
  readonly version: string;
  /** The system prompt of every answer. */
  readonly system: string;
}

/** The hosted settings (schema version 1). */
export interface ChatSettings {
  readonly schemaVersion: 1;
  /** Profiles by role; each must be one the organization approves in the Region (the validator's enum). */
  readonly models: TenantModels;
  readonly budgetRules: BudgetRules;
  readonly prompts: {
    readonly answer: AnswerPromptTemplate;
    readonly router: RouterPromptTemplate;
    /**
     * The answer's prompt when the knowledge base gave passages: answer from them only, and cite them.
     * @default GROUNDED_PROMPT (a version hosted before this prompt existed has none)
     */
    readonly grounded?: AnswerPromptTemplate;
  };
  readonly flags: {
    /** Classify each question on the small model; off: every question counts as complex. */
    readonly classifier: boolean;
    /** Try the fallback chain when the chosen profile fails; off: the chosen profile, then the degraded answer. */
    readonly fallback: boolean;
  };
  readonly limits: {
    /** Messages one user may send a minute (per-user throttling); more get a `rate_limited` frame. */
    readonly messagesPerUserPerMinute: number;
    /** The most tokens an answer may have. */
    readonly maxAnswerTokens: number;
    /**
     * Assistant answers in a conversation after which its next message goes to a person (the hand-off's
     * `unresolved_turns` trigger). @default - the config's `handOff.unresolvedTurns` (a version hosted before it has none)
     */
    readonly unresolvedTurnsBeforeHandOff?: number;
    /**
     * Tokens one user may use in a day: changes the daily budget without a deployment.
     * @default - the config's `limits.dailyTokensPerUser` (the turn's `LIMITS`)
     */
    readonly dailyTokensPerUser?: number;
    /**
     * Tokens the tenant may use in a day. @default - the config's `limits.dailyTokensPerTenant` (the turn's `LIMITS`)
     */
    readonly dailyTokensPerTenant?: number;
  };
}

/** The answer's prompt, version `answer@1.0.0`. */
export const ANSWER_PROMPT: AnswerPromptTemplate = {
  version: 'answer@1.0.0',
  system: [
    'You are the customer-support assistant of an online shop. Answer in the language of the customer\'s last message.',
    'Be brief and concrete. If you cannot help, say so and offer to hand over to a human agent.',
  ].join(' '),
};

/** The answer's prompt with the knowledge base's passages, version `grounded@1.0.0`. */
export const GROUNDED_PROMPT: AnswerPromptTemplate = {
  version: 'grounded@1.0.0',
  system: [
    'You are the customer-support assistant of an online shop. Answer in the language of the customer\'s last message.',
    'The customer\'s message comes with numbered passages from the shop\'s knowledge base, each headed [n] with its title.',
    'Answer only from these passages: do not add facts, figures, dates or policies they do not state.',
    'Cite each passage you use with its number in square brackets, such as [1].',
    'If the passages do not answer the question, say that you do not have that information and offer to hand over to a human agent.',
    'Be brief and concrete.',
  ].join(' '),
};

const semver = (name: string) => new RegExp(`^${name}@(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$`);

/** The schema of the settings, with `allowedProfiles` (the approved profiles callable from the Region) as the only ids. */
export function chatSettingsSchema(allowedProfiles: readonly string[]) {
  if (allowedProfiles.length === 0) throw new Error('the settings schema needs at least one allowed inference profile');
  const profile = z.enum(allowedProfiles as [string, ...string[]]);
  const role = z.enum(['fast', 'capable']);
  const roles = { simple: role, complex: role };
  const prompt = (name: string) => ({
    version: z.string().regex(semver(name)),
    system: z.string().min(1).max(8_000),
  });
  return z.strictObject({
    schemaVersion: z.literal(1),
    models: z.strictObject({ classifier: profile, fast: profile, capable: profile, fallback: z.array(profile).max(5) }),
    budgetRules: z.strictObject({
      routing: z.strictObject(roles),
      tiers: z.array(z.strictObject({ below: z.number().gt(0).lte(1), ...roles })).max(5),
    }),
    prompts: z.strictObject({
      answer: z.strictObject(prompt('answer')),
      router: z.strictObject({ ...prompt('router'), user: z.string().min(1).max(2_000).regex(/\{\{message\}\}/) }),
      grounded: z.strictObject(prompt('grounded')).optional(),
    }),
    flags: z.strictObject({ classifier: z.boolean(), fallback: z.boolean() }),
    limits: z.strictObject({
      messagesPerUserPerMinute: z.number().int().min(1).max(600),
      maxAnswerTokens: z.number().int().min(16).max(4_096),
      unresolvedTurnsBeforeHandOff: z.number().int().min(1).max(50).optional(),
      dailyTokensPerUser: z.number().int().min(1).max(1_000_000_000).optional(),
      dailyTokensPerTenant: z.number().int().min(1).max(10_000_000_000).optional(),
    }),
  });
}

/**
 * The JSON Schema (Draft 4) of AppConfig's validator: a hosted version that names a profile outside the allowed list, a
 * prompt without a semantic version or an unknown key cannot deploy.
 */
export function settingsJsonSchema(allowedProfiles: readonly string[]): Record<string, unknown> {
  return z.toJSONSchema(chatSettingsSchema(allowedProfiles), { target: 'draft-04' }) as Record<string, unknown>;
}

/** The settings a tenant starts with (the first hosted version), and runs on when AppConfig has none it can use. */
export function defaultChatSettings(models: TenantModels): ChatSettings {
  return {
    schemaVersion: 1,
    models: { classifier: models.classifier, fast: models.fast, capable: models.capable, fallback: [...models.fallback] },
    budgetRules: DEFAULT_BUDGET_RULES,
    prompts: { answer: ANSWER_PROMPT, router: ROUTER_PROMPT, grounded: GROUNDED_PROMPT },
    flags: { classifier: true, fallback: true },
    limits: { messagesPerUserPerMinute: 20, maxAnswerTokens: 1_024 },
  };
}

/** The settings in a value read from AppConfig, or every problem found. */
export function parseChatSettings(value: unknown, allowedProfiles: readonly string[]):
{ ok: true; settings: ChatSettings } | { ok: false; problems: string[] } {
  const parsed = chatSettingsSchema(allowedProfiles).safeParse(value);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`) };
  }
  const problems = validateBudgetRules(parsed.data.budgetRules).map((p) => `budgetRules: ${p}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings: parsed.data as ChatSettings };
}
