/*
 * Knowledge-base runtime emulator: Bedrock Agent Runtime's `Retrieve` for the support-chat tenant's local harness, its
 * tests and `bench:quality`, over a folder of documents with Bedrock metadata files (`knowledge-corpus.ts`).
 *
 * Why our own: the pinned moto has no `bedrock-agent-runtime` backend, and LocalStack's Bedrock is a licensed feature that
 * needs Docker. So this server speaks the REST-JSON wire format itself: `POST /knowledgebases/{knowledgeBaseId}/retrieve`
 * (the route of `Retrieve$` in `@aws-sdk/client-bedrock-agent-runtime`), SigV4 with the signing name `bedrock`, a JSON
 * body in and `{"retrievalResults": [...]}` out, AWS JSON errors (`x-amzn-ErrorType`) with the statuses the SDK's error
 * schemas carry (404 `ResourceNotFoundException`, 400 `ValidationException`, 429 `ThrottlingException`, 403, 424, 500,
 * 502). Like that client's default handler it is reached over cleartext HTTP/2 as well as HTTP/1.1 (the listener of
 * `../bedrock-runtime`).
 *
 * Ranking is LEXICAL (BM25 over chunks, `lexical-index.ts`), not Bedrock's semantic vector search, and a requested
 * reranking is checked and recorded but no rerank model runs: the results keep the lexical order, cut to
 * `numberOfRerankedResults` when the request gives one. Scores are on the emulator's own 0-to-1 scale. Each result
 * carries the S3 location of its document under the emulated data source and the document's metadata attributes with
 * the `x-amz-bedrock-kb-source-uri`, `x-amz-bedrock-kb-chunk-id` and `x-amz-bedrock-kb-data-source-id` keys Bedrock
 * adds (an assumption from observed responses; the API reference documents the map, not these keys).
 */
import { type CorpusChunk, type KnowledgeCorpus, loadCorpus } from './knowledge-corpus';
import { LexicalIndex } from './lexical-index';
import { matchesFilter } from './retrieval-filter';
import { parseRetrieveRequest, type RetrieveInput } from './retrieve-request';
import { type EmulatorRequest, type EmulatorResponse, listenHttp1And2, type Listening } from '../bedrock-runtime/bedrock-listener';
import { checkSigV4, isRefusal } from '../bedrock-runtime/bedrock-request';
import { writeAwsError, writeJson } from '../bedrock-runtime/bedrock-wire';
import { readBody } from '../http/http-body';

/** An error the service answers with. */
export interface KnowledgeFault {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** Retrieve's errors with the statuses of the SDK's error schemas and messages like the service's. */
export const KNOWLEDGE_FAULTS = {
  throttling: { status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded.' },
  accessDenied: { status: 403, errorType: 'AccessDeniedException', message: 'User is not authorized to perform: bedrock:Retrieve' },
  dependencyFailed: { status: 424, errorType: 'DependencyFailedException', message: 'The vector store returned an error.' },
  internal: { status: 500, errorType: 'InternalServerException', message: 'Internal server error.' },
  badGateway: { status: 502, errorType: 'BadGatewayException', message: 'There was an issue with a dependency due to a server issue.' },
} as const satisfies Record<string, KnowledgeFault>;

/** What the emulator does with one request beyond answering it. */
export interface KnowledgeBehaviour {
  /** Answer with this error instead of results. @default undefined */
  readonly fault?: KnowledgeFault;
  /** Milliseconds before the answer (or the fault). @default 0 */
  readonly latencyMs?: number;
  /** Never answer: the request stays open until the client gives up or the emulator stops. @default false */
  readonly hang?: boolean;
}

/** One request as the emulator saw it. */
export interface RetrieveRecord {
  readonly sequence: number;
  readonly knowledgeBaseId: string;
  /** The parsed JSON body ({} when it did not parse). */
  readonly body: Record<string, unknown>;
  /** What the emulator read of it, when it was valid. */
  input?: RetrieveInput;
  signingRegion?: string;
  outcome: 'pending' | 'answered' | 'refused' | 'faulted' | 'hung';
  /** Document keys of the results, best first. */
  resultKeys?: string[];
}

/** Properties of a `KnowledgeEmulator`. */
export interface KnowledgeEmulatorProps {
  /** The folder of documents and metadata files. */
  readonly corpusDir: string;
  /** The id it answers to (Bedrock's are 10 upper-case letters and digits). @default 'KBLOCAL001' */
  readonly knowledgeBaseId?: string;
  /** The bucket the documents' S3 URIs name. @default 'support-chat-knowledge-local' */
  readonly bucket?: string;
  /** The data source's key prefix the documents' S3 URIs carry (`corpus/` gives `s3://bucket/corpus/faqs/…`). @default '' */
  readonly keyPrefix?: string;
  /** The data source id in each result's metadata. @default 'DSLOCAL001' */
  readonly dataSourceId?: string;
  /** Refuse requests that are not SigV4-signed for `bedrock`, as AWS does. @default true */
  readonly requireSigV4?: boolean;
  /** Characters a chunk may hold (whole paragraphs). @default 1200 */
  readonly maxChunkChars?: number;
  /** TCP port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
}

/** Bedrock knowledge base ids: 10 upper-case letters and digits (`knowledgeBaseId` pattern `[0-9a-zA-Z]{10}` in the API reference). */
const KNOWLEDGE_BASE_ID = /^[0-9a-zA-Z]{10}$/;
const ROUTE = /^\/knowledgebases\/([^/?]+)\/retrieve(?:\?.*)?$/;

/** An HTTP server that answers `Retrieve` on 127.0.0.1 over one corpus. Every request is recorded in `requests`. */
export class KnowledgeEmulator {
  public readonly requests: RetrieveRecord[] = [];
  public readonly knowledgeBaseId: string;
  public readonly corpus: KnowledgeCorpus;
  private readonly index: LexicalIndex<CorpusChunk>;
  private readonly queued: { behaviour: KnowledgeBehaviour; remaining: number }[] = [];
  private listening?: Listening;

  constructor(private readonly props: KnowledgeEmulatorProps) {
    this.knowledgeBaseId = props.knowledgeBaseId ?? 'KBLOCAL001';
    if (!KNOWLEDGE_BASE_ID.test(this.knowledgeBaseId)) throw new Error(`knowledgeBaseId must be 10 letters or digits, not ${this.knowledgeBaseId}`);
    this.corpus = loadCorpus(props.corpusDir, props.maxChunkChars);
    this.index = new LexicalIndex(this.corpus.chunks.map((chunk) => ({ item: chunk, text: chunk.text })));
  }

  /** Queues a behaviour for the next `times` requests (default 1), in order. */
  public queue(behaviour: KnowledgeBehaviour, times = 1): this {
    this.queued.push({ behaviour, remaining: times });
    return this;
  }

  /** Forgets the recorded requests and the queue. */
  public reset(): void {
    this.requests.length = 0;
    this.queued.length = 0;
  }

  /** Starts listening on 127.0.0.1. */
  public async start(): Promise<string> {
    if (this.listening) throw new Error('the emulator is already started');
    this.listening = await listenHttp1And2((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) writeAwsError(res, { status: 500, errorType: 'InternalServerException', message: String(error) });
      });
    }, this.props.port);
    return this.listening.endpoint;
  }

  /** The endpoint, once started. */
  public get endpoint(): string {
    if (!this.listening) throw new Error('the emulator is not started');
    return this.listening.endpoint;
  }

  /** Stops listening and drops open connections, hanging requests included. */
  public async close(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
  }

  private async handle(req: EmulatorRequest, res: EmulatorResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const route = req.method === 'POST' ? ROUTE.exec(req.url ?? '') : null;
    if (!route) {
      writeAwsError(res, { status: 404, errorType: 'UnknownOperationException', message: `No operation at ${req.method} ${req.url}` });
      return;
    }
    const knowledgeBaseId = decodeURIComponent(route[1]);
    const body = parseJsonObject(raw);
    const record: RetrieveRecord = { sequence: this.requests.length, knowledgeBaseId, body: body ?? {}, outcome: 'pending' };
    this.requests.push(record);
    const auth = checkSigV4(req.headers);
    if (!isRefusal(auth)) record.signingRegion = auth.region;
    if (isRefusal(auth) && (this.props.requireSigV4 ?? true)) return this.refuse(res, record, auth);
    if (!KNOWLEDGE_BASE_ID.test(knowledgeBaseId)) {
      return this.refuse(res, record, {
        status: 400,
        errorType: 'ValidationException',
        message: `1 validation error detected: Value '${knowledgeBaseId}' at 'knowledgeBaseId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z]+`,
      });
    }
    if (knowledgeBaseId !== this.knowledgeBaseId) {
      return this.refuse(res, record, { status: 404, errorType: 'ResourceNotFoundException', message: `Knowledge base with id ${knowledgeBaseId} does not exist` });
    }
    const input = body ? parseRetrieveRequest(body) : 'Malformed input request, please reformat your input and try again.';
    if (typeof input === 'string') return this.refuse(res, record, { status: 400, errorType: 'ValidationException', message: input });
    record.input = input;

    const behaviour = this.take();
    if (behaviour?.latencyMs) await new Promise((resolve) => setTimeout(resolve, behaviour.latencyMs));
    if (behaviour?.hang) {
      record.outcome = 'hung';
      return;
    }
    if (behaviour?.fault) {
      record.outcome = 'faulted';
      writeAwsError(res, behaviour.fault);
      return;
    }
    const results = this.retrieve(input);
    record.resultKeys = results.map((r) => r.chunk.key);
    record.outcome = 'answered';
    writeJson(res, { retrievalResults: results.map(({ chunk, score }) => this.result(chunk, score)) });
  }

  /** The chunks that pass the filter, lexically ranked, cut to `numberOfRerankedResults` (when reranking) or `numberOfResults`. */
  private retrieve(input: RetrieveInput): { chunk: CorpusChunk; score: number }[] {
    const filter = input.filter;
    const hits = this.index.search(input.question, filter ? (chunk) => matchesFilter(filter, chunk.metadata) : undefined);
    const limit = input.reranking?.numberOfRerankedResults ?? input.numberOfResults;
    return hits.slice(0, limit).map(({ item, score }) => ({ chunk: item, score }));
  }

  private result(chunk: CorpusChunk, score: number): Record<string, unknown> {
    const uri = `s3://${this.props.bucket ?? 'support-chat-knowledge-local'}/${this.props.keyPrefix ?? ''}${chunk.key}`;
    return {
      content: { type: 'TEXT', text: chunk.text },
      location: { type: 'S3', s3Location: { uri } },
      score,
      metadata: {
        ...chunk.metadata,
        'x-amz-bedrock-kb-source-uri': uri,
        'x-amz-bedrock-kb-chunk-id': `${chunk.key}#${chunk.index}`,
        'x-amz-bedrock-kb-data-source-id': this.props.dataSourceId ?? 'DSLOCAL001',
      },
    };
  }

  private refuse(res: EmulatorResponse, record: RetrieveRecord, error: KnowledgeFault): void {
    record.outcome = 'refused';
    writeAwsError(res, error);
  }

  private take(): KnowledgeBehaviour | undefined {
    const entry = this.queued[0];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.queued.shift();
    return entry.behaviour;
  }
}

function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A started knowledge-base emulator: what a client needs, and how to stop it. */
export interface RunningKnowledgeEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly knowledgeBaseId: string;
  /** The emulator itself, for queued faults and the recorded requests. */
  readonly emulator: KnowledgeEmulator;
  stop(): Promise<void>;
}

/** Loads the corpus and starts the emulator; `{ endpoint, knowledgeBaseId }` is what a `Retrieve` client needs. */
export async function startKnowledgeEmulator(props: KnowledgeEmulatorProps): Promise<RunningKnowledgeEmulator> {
  const emulator = new KnowledgeEmulator(props);
  const endpoint = await emulator.start();
  return { endpoint, knowledgeBaseId: emulator.knowledgeBaseId, emulator, stop: () => emulator.close() };
}

/** Client settings that reach the emulator: its endpoint, a Region and static dummy credentials (the SDK still signs). */
export function knowledgeClientConfig(endpoint: string, region = 'eu-central-1') {
  return { endpoint, region, credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret-key' } };
}
