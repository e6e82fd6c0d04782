/*
 * The languages the support-chat tenant speaks: the texts it sends itself are written in each of them
 * (`tenant-messages.ts`), and a customer's message is placed among them (`detect-language.ts`).
 */

/** ISO 639-1 codes of the tenant's languages; `zh` is Simplified Chinese. */
export const SUPPORTED_LANGUAGES = ['en', 'es', 'zh', 'fr', 'de'] as const;

/** One of the tenant's languages. */
export type SupportedLanguage = typeof SUPPORTED_LANGUAGES[number];

/** The language of last resort: no message, profile or conversation tells another. */
export const DEFAULT_LANGUAGE: SupportedLanguage = 'en';

/** Whether a value is one of the tenant's language codes exactly. */
export function isSupportedLanguage(value: unknown): value is SupportedLanguage {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

/**
 * The tenant's language of a BCP 47 tag as a profile or a browser gives it (`fr-CA`, `de_AT`, `zh-Hans-CN`, `ES`), or
 * `undefined` for another language, a malformed tag or no tag. Any Chinese tag maps to `zh`: the tenant writes Simplified
 * Chinese only.
 */
export function supportedLanguageOf(tag: string | undefined | null): SupportedLanguage | undefined {
  if (typeof tag !== 'string' || tag.length === 0 || tag.length > 35) return undefined;
  let language: string;
  try {
    language = new Intl.Locale(tag.replace(/_/g, '-')).language.toLowerCase();
  } catch {
    return undefined;
  }
  return isSupportedLanguage(language) ? language : undefined;
}
