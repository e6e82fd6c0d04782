/*
 * Text prepared for phrase matching on whole words, in scripts with spaces and without: Unicode's word segmentation
 * (`Intl.Segmenter`, ICU's rules and, for Chinese, its dictionary; Node.js ships full ICU since 13) tells where words
 * begin and end, so a phrase matches only from the start of a word to the end of one: "sue" is not in "issue", "报告你们"
 * (report your …) does not hold "告你们" (sue you).
 */

/** Text in matching form, with the offsets where its words begin and end. */
export interface WordText {
  /** Lower case, without accents, apostrophes and punctuation turned into single spaces. */
  readonly text: string;
  /** Offsets in `text` that start or end a word. */
  readonly boundaries: ReadonlySet<number>;
}

const SEGMENTER = new Intl.Segmenter('und', { granularity: 'word' });

/**
 * The matching form of a phrase or a message: NFKC (full-width letters become ASCII), accents dropped (customers often
 * type "a" for "à", "senor" for "señor"; "ß" stays), lower case, and apostrophes, punctuation and runs of spaces made
 * one space, so "l'avocat" holds the word "avocat" and "quelqu’un" is "quelqu un".
 */
export function matchingForm(text: string): string {
  return text.normalize('NFKC').normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** A text in matching form with its word boundaries. */
export function wordText(text: string): WordText {
  const form = matchingForm(text);
  const boundaries = new Set<number>();
  for (const { index, segment, isWordLike } of SEGMENTER.segment(form)) {
    if (!isWordLike) continue;
    boundaries.add(index);
    boundaries.add(index + segment.length);
  }
  return { text: form, boundaries };
}

/** Whether `phrase` (in matching form) occurs in `words` starting and ending on word boundaries. */
export function containsPhrase(words: WordText, phrase: string): boolean {
  for (let at = words.text.indexOf(phrase); at >= 0; at = words.text.indexOf(phrase, at + 1)) {
    if (words.boundaries.has(at) && words.boundaries.has(at + phrase.length)) return true;
  }
  return false;
}
