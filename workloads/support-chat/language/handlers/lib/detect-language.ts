import { detectAll } from 'tinyld';
import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, supportedLanguageOf, type SupportedLanguage } from './languages';

/*
 * The language of a customer's message, offline: a script rule for Chinese, then tinyld's n-gram models over the four
 * Latin-script languages, and a fallback whenever the message does not say enough (ADR 12).
 */

/** How `detectLanguage` reached its answer. */
export type LanguageSource =
  /** The message is mostly Han characters (and has no kana or hangul): Chinese. */
  | 'script'
  /** tinyld placed the message clearly among English, Spanish, French and German. */
  | 'detector'
  /** The message did not say: the customer's previous language (the conversation's, else the profile's). */
  | 'previous'
  /** The message did not say and no previous language was known: `DEFAULT_LANGUAGE`. */
  | 'default';

/** The language of a message and how it was found. */
export interface LanguageDetection {
  readonly language: SupportedLanguage;
  readonly source: LanguageSource;
}

/** Options of `detectLanguage`. */
export interface DetectLanguageOptions {
  /**
   * The customer's last known language as a BCP 47 tag: the language the conversation used last, else the profile's
   * (`fr-FR`, `de`, `zh-Hans`). A tag outside the five languages is ignored.
   * @default - none: English when the message does not say
   */
  readonly previous?: string;
}

/** Latin-script letters a message needs before the detector is asked (shorter: "ok", "hi", "oui", "sí", "ja"). */
export const MIN_LATIN_LETTERS = 4;
/** Words a Latin-script message needs ("danke", "hello", "merci" alone are the fallback's). */
export const MIN_LATIN_WORDS = 2;
/** How many times the detector's best score must exceed the runner-up's to be taken. */
export const MIN_SCORE_RATIO = 1.5;

const LATIN_LANGUAGES: readonly string[] = SUPPORTED_LANGUAGES.filter((l) => l !== 'zh');
/** The characters read: a long message's language is clear from its start, and the work stays bounded. */
export const MAX_CHARACTERS_READ = 1_000;
const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

/**
 * The language of `text`, one of the five, always: the rule is
 * 1. letters of Japanese kana or Korean hangul, or mostly letters of a script other than Latin or Han: the fallback;
 * 2. Han characters outnumbering the Latin-script words: Chinese (`script`);
 * 3. at least `MIN_LATIN_LETTERS` letters in `MIN_LATIN_WORDS` words, and tinyld's best language among English,
 *    Spanish, French and German at least `MIN_SCORE_RATIO` times the runner-up: that language (`detector`);
 * 4. otherwise the fallback: `options.previous` when it is one of the five (`previous`), else English (`default`).
 * URLs and e-mail addresses are left out, then only the first `MAX_CHARACTERS_READ` characters are read.
 */
export function detectLanguage(text: string, options: DetectLanguageOptions = {}): LanguageDetection {
  const detected = fromText(typeof text === 'string' ? withoutAddresses(text.normalize('NFKC')).slice(0, MAX_CHARACTERS_READ) : '');
  if (detected) return detected;
  const previous = supportedLanguageOf(options.previous);
  return previous ? { language: previous, source: 'previous' } : { language: DEFAULT_LANGUAGE, source: 'default' };
}

/** The text without its URLs and e-mail addresses: words (between spaces) with `@`, `://` or a leading `www.`. */
function withoutAddresses(text: string): string {
  return text.split(/\s+/u).filter((word) => !(word.includes('@') || word.includes('://') || /^www\./iu.test(word))).join(' ');
}

function fromText(text: string): LanguageDetection | undefined {
  const letters = count(text, /\p{L}/gu);
  if (letters === 0) return undefined;
  if (count(text, /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu) > 0) return undefined;
  const han = count(text, /\p{Script=Han}/gu);
  const latinText = text.replace(/[^\p{Script=Latin}\p{M}'’\s-]/gu, ' ');
  const latin = count(latinText, /\p{Script=Latin}/gu);
  if (han + latin < letters / 2) return undefined;
  const latinWords = count(latinText, /\p{Script=Latin}[\p{Script=Latin}\p{M}'’-]*/gu);
  if (han > 0 && han > latinWords) return { language: 'zh', source: 'script' };
  if (latin < MIN_LATIN_LETTERS || latinWords < MIN_LATIN_WORDS) return undefined;
  const [best, second] = detectAll(latinText, { only: [...LATIN_LANGUAGES] });
  if (!best || !(best.accuracy > 0)) return undefined;
  if (second && best.accuracy < MIN_SCORE_RATIO * second.accuracy) return undefined;
  return LATIN_LANGUAGES.includes(best.lang) ? { language: best.lang as SupportedLanguage, source: 'detector' } : undefined;
}
