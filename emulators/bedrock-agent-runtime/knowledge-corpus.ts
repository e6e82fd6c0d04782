import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/*
 * A knowledge base's data source as the emulator reads it: a folder standing for the S3 prefix a Bedrock data source
 * ingests. Every `.md` or `.txt` file is a document; its metadata sits next to it in `<document>.metadata.json`
 * (`{"metadataAttributes": {...}}`), the sidecar file a Bedrock S3 data source reads
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html: same folder, `.metadata.json` after the
 * document's extension, at most 10 KB). Documents are split into chunks of whole
 * paragraphs up to a size, a stand-in for the data source's chunking strategy (Bedrock's default cuts by tokens with an
 * overlap; the emulator never splits a paragraph).
 */

/** A metadata attribute's value, as a metadata file may give it: a string, a number, a boolean or a list of strings. */
export type MetadataValue = string | number | boolean | readonly string[];

/** One chunk of a document, what Retrieve returns as one result. */
export interface CorpusChunk {
  /** The document's key under the data source, with `/` separators (`faqs/returns.en.md`). */
  readonly key: string;
  /** The chunk's position in its document, from 0. */
  readonly index: number;
  readonly text: string;
  /** The document's metadata attributes. */
  readonly metadata: Readonly<Record<string, MetadataValue>>;
}

/** A loaded corpus. */
export interface KnowledgeCorpus {
  /** Every document's key, sorted. */
  readonly documents: readonly string[];
  readonly chunks: readonly CorpusChunk[];
}

/** Extensions read as documents. */
const DOCUMENT_EXTENSIONS = ['.md', '.txt'];
const METADATA_SUFFIX = '.metadata.json';
/** A metadata file's size quota. */
const METADATA_MAX_BYTES = 10 * 1024;

/**
 * Reads every document of `dir` (recursively) with its metadata file. Throws, naming the file, on a metadata file that
 * is not `{"metadataAttributes": {...}}` with values of the four kinds, on a metadata file without its document, and on
 * an empty document.
 */
export function loadCorpus(dir: string, maxChunkChars = 1200): KnowledgeCorpus {
  const files = walk(dir).sort();
  const documents = files.filter((file) => DOCUMENT_EXTENSIONS.some((ext) => file.endsWith(ext)));
  for (const file of files.filter((f) => f.endsWith(METADATA_SUFFIX))) {
    if (!documents.includes(file.slice(0, -METADATA_SUFFIX.length))) throw new Error(`${file}: a metadata file without its document`);
  }
  const chunks: CorpusChunk[] = [];
  for (const file of documents) {
    const key = relative(dir, file).split(sep).join('/');
    const metadata = readMetadata(`${file}${METADATA_SUFFIX}`);
    const text = readFileSync(file, 'utf8');
    const pieces = chunkText(text, maxChunkChars);
    if (pieces.length === 0) throw new Error(`${file}: the document is empty`);
    pieces.forEach((piece, index) => chunks.push({ key, index, text: piece, metadata }));
  }
  return { documents: documents.map((file) => relative(dir, file).split(sep).join('/')), chunks };
}

/** Paragraphs (separated by blank lines) gathered into chunks of at most `maxChars` characters; a longer paragraph is a chunk alone. */
export function chunkText(text: string, maxChars: number): string[] {
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 0);
  const chunks: string[] = [];
  let current = '';
  for (const paragraph of paragraphs) {
    if (current && current.length + 2 + paragraph.length > maxChars) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n\n${paragraph}` : paragraph;
  }
  if (current) chunks.push(current);
  return chunks;
}

function readMetadata(path: string): Record<string, MetadataValue> {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch {
    return {};
  }
  if (raw.length > METADATA_MAX_BYTES) throw new Error(`${path}: ${raw.length} bytes, over the 10 KB a metadata file may have`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`);
  }
  const attributes = (parsed as { metadataAttributes?: unknown } | null)?.metadataAttributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new Error(`${path}: expected {"metadataAttributes": {...}}`);
  }
  for (const [name, value] of Object.entries(attributes)) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
      || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) throw new Error(`${path}: attribute ${name} must be a string, number, boolean or list of strings`);
  }
  return attributes as Record<string, MetadataValue>;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
