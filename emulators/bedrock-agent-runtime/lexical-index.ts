/*
 * The knowledge-base emulator's ranking: Okapi BM25 over chunks, LEXICAL. It is not Bedrock's ranking: a Bedrock
 * knowledge base embeds the question and the chunks with an embedding model and ranks by vector similarity (semantic), so
 * a paraphrase with no shared word can match there and never here, and a shared word ranks here whatever it means. The
 * emulator exists to exercise the wire format, filters, faults and our code around them, not answer quality (ADR 21).
 */

/** BM25's term-frequency saturation. */
const K1 = 1.2;
/** BM25's length normalization. */
const B = 0.75;
/** Latin, Cyrillic, Greek … tokens are cut to this many characters: a crude stemmer that works across the five languages. */
const PREFIX_LENGTH = 5;

const HAN = /\p{Script=Han}/u;

/**
 * Function words of the five languages (accents folded), left out of the terms as search engines do: without them a
 * question shares "you", "de" or "der" with every chunk. Chinese needs none: its bigrams of function characters are rare.
 */
const STOPWORDS = new Set([
  // en
  'a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'by', 'from', 'is', 'are', 'was', 'be', 'do',
  'does', 'did', 'i', 'me', 'my', 'you', 'your', 'we', 'our', 'it', 'its', 'this', 'that', 'can', 'have', 'has', 'what',
  'how', 'when', 'where', 'which', 'who', 'if', 'not', 'no', 'will', 'would', 'should', 'there', 'any', 'as', 'get',
  // es
  'el', 'la', 'los', 'las', 'un', 'una', 'unos', 'unas', 'y', 'o', 'de', 'del', 'al', 'en', 'con', 'por', 'para', 'que', 'se', 'es',
  'son', 'mi', 'mis', 'tu', 'tus', 'su', 'sus', 'yo', 'me', 'te', 'lo', 'le', 'como', 'cuando', 'donde', 'cual', 'puedo', 'hay',
  'si', 'mas', 'ya', 'este', 'esta', 'esto',
  // fr
  'le', 'les', 'une', 'des', 'du', 'et', 'ou', 'au', 'aux', 'dans', 'sur', 'avec', 'pour', 'par', 'est', 'sont', 'je', 'j',
  'vous', 'votre', 'vos', 'nous', 'notre', 'il', 'elle', 'qui', 'quoi', 'quand', 'comment', 'puis', 'peut', 'pas', 'ne',
  'ce', 'cet', 'cette', 'mon', 'ma', 'mes', 'l', 'd', 'qu', 'n', 'c', 's', 'y', 'a',
  // de
  'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'einem', 'einer', 'und', 'oder', 'zu', 'im', 'in', 'an',
  'auf', 'mit', 'von', 'fur', 'bei', 'nach', 'ist', 'sind', 'ich', 'du', 'mein', 'meine', 'meinen', 'dein', 'deine', 'sie',
  'wir', 'es', 'wie', 'was', 'wann', 'wo', 'kann', 'konnen', 'nicht', 'ihr', 'ihre', 'ihren', 'man', 'auch', 'noch',
]);

/**
 * The terms of a text: lower case, accents removed (NFKD without combining marks), runs of letters and digits; each
 * token cut to its first 5 characters (`returns` and `return`, `devoluciones` and `devolución` meet); Chinese (Han)
 * runs, written without spaces, as overlapping character bigrams (a single character alone).
 */
export function terms(text: string): string[] {
  const out: string[] = [];
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  for (const run of folded.match(/[\p{L}\p{N}]+/gu) ?? []) {
    let latin = '';
    let han = '';
    const flushLatin = () => {
      if (latin && !STOPWORDS.has(latin)) out.push([...latin].slice(0, PREFIX_LENGTH).join(''));
      latin = '';
    };
    const flushHan = () => {
      const chars = [...han];
      if (chars.length === 1) out.push(chars[0]);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      han = '';
    };
    for (const char of run) {
      if (HAN.test(char)) {
        flushLatin();
        han += char;
      } else {
        flushHan();
        latin += char;
      }
    }
    flushLatin();
    flushHan();
  }
  return out;
}

/** One indexed unit of text. */
export interface IndexedChunk<T> {
  readonly item: T;
  readonly length: number;
  readonly frequencies: ReadonlyMap<string, number>;
}

/** A scored chunk. */
export interface LexicalHit<T> {
  readonly item: T;
  /**
   * BM25 of the chunk divided by the most the question's terms could score (each term matched once in a chunk of
   * average length), capped at 1: the share of the question's weight the chunk carries, 0 to 1. Comparable within one
   * question; not Bedrock's similarity score.
   */
  readonly score: number;
}

/**
 * BM25 over a fixed set of chunks. The statistics (document frequencies, average length) are those of the chunks the
 * filter accepts, as if the filtered set were the collection: a language filter then weighs a word by how rare it is in
 * that language's documents, not among all five.
 */
export class LexicalIndex<T> {
  private readonly chunks: IndexedChunk<T>[] = [];

  constructor(items: readonly { readonly item: T; readonly text: string }[]) {
    for (const { item, text } of items) {
      const frequencies = new Map<string, number>();
      const chunkTerms = terms(text);
      for (const term of chunkTerms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      this.chunks.push({ item, length: chunkTerms.length, frequencies });
    }
  }

  /** How many chunks the index holds. */
  public get size(): number {
    return this.chunks.length;
  }

  /** The chunks that share a term with the question and pass `accept`, best first (ties in index order). */
  public search(question: string, accept: (item: T) => boolean = () => true): LexicalHit<T>[] {
    const queryTerms = [...new Set(terms(question))];
    const accepted = this.chunks.map((chunk, order) => ({ chunk, order })).filter(({ chunk }) => accept(chunk.item));
    if (queryTerms.length === 0 || accepted.length === 0) return [];
    const averageLength = accepted.reduce((sum, { chunk }) => sum + chunk.length, 0) / accepted.length || 1;
    const idf = new Map(queryTerms.map((term) => {
      const n = accepted.filter(({ chunk }) => chunk.frequencies.has(term)).length;
      return [term, Math.log(1 + (accepted.length - n + 0.5) / (n + 0.5))];
    }));
    const ceiling = queryTerms.reduce((sum, term) => sum + idf.get(term)!, 0);
    const hits: { item: T; score: number; order: number }[] = [];
    for (const { chunk, order } of accepted) {
      let raw = 0;
      for (const term of queryTerms) {
        const tf = chunk.frequencies.get(term) ?? 0;
        if (tf === 0) continue;
        raw += idf.get(term)! * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * chunk.length / averageLength));
      }
      if (raw > 0) hits.push({ item: chunk.item, score: Math.min(1, raw / ceiling), order });
    }
    hits.sort((a, b) => b.score - a.score || a.order - b.order);
    return hits.map(({ item, score }) => ({ item, score }));
  }
}
