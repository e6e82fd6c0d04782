import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteLabel } from '../../../workloads/support-chat/chat/handlers/lib/router';
import type { SupportedLanguage } from '../../../workloads/support-chat/language/handlers/lib/languages';

/** One question of the golden set. */
export interface GoldenQuestion {
  /** `<language>-<nn>`. */
  readonly id: string;
  readonly language: SupportedLanguage;
  readonly question: string;
  /** The corpus documents (keys under the data source) that answer it; empty when none does. */
  readonly expectedDocuments: readonly string[];
  /** The router's label for it (`chat/handlers/lib/router.ts`). */
  readonly route: RouteLabel;
  /** Whether it should go to a person. */
  readonly escalate: boolean;
  /** Whether the right answer is "I don't have that information" (the corpus cannot answer it). */
  readonly refusal: boolean;
  /**
   * Whether the organization's guardrail should intervene on it (a denied topic of the example config's guardrail):
   * an intervention on a question marked `false` is unexpected, none on one marked `true` is missed.
   */
  readonly guardrail: boolean;
}

/** `test/bench/quality/golden-set.json`. */
export const GOLDEN_SET_FILE = join(__dirname, 'golden-set.json');

/** The example company's corpus the golden set refers to. */
export const CORPUS_DIR = join(__dirname, '..', '..', '..', 'workloads', 'support-chat', 'local', 'corpus');

/** The golden set's questions. */
export function loadGoldenSet(file = GOLDEN_SET_FILE): GoldenQuestion[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { questions: GoldenQuestion[] }).questions;
}
