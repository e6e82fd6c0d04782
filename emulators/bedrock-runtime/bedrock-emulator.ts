/*
 * Bedrock Runtime emulator for the support-chat tenant's local harness (`chat:local`) and its tests.
 *
 * Why our own and not one from PyPI: the pinned moto (moto[server] 5.2.5 in requirements-dev.txt, also the newest
 * moto on PyPI when this was written) has a `bedrockruntime` backend with InvokeModel only, answering `{}`
 * (moto/bedrockruntime/responses.py defines `invoke_model` and nothing else; no `converse`, no `converse_stream`, no
 * event-stream encoder), so it cannot serve Converse or ConverseStream, let alone pace them or inject faults mid-stream.
 * LocalStack's Bedrock is a Pro (licensed) feature that needs Docker and a model runtime; not offline-usable here.
 * So this server speaks the wire protocol itself: REST-JSON requests (`POST /model/{modelId}/converse[-stream]`, and
 * `ApplyGuardrail`'s `POST /guardrail/{id}/version/{version}/apply` with a regex stand-in for PII entities only),
 * SigV4, signing name `bedrock`), AWS JSON errors (`x-amzn-ErrorType`), and `application/vnd.amazon.eventstream`
 * responses framed by `@smithy/eventstream-codec`, the same codec the SDK decodes with, so the real
 * `@aws-sdk/client-bedrock-runtime` parses them as it parses the service's. It serves cleartext HTTP/2 as well as
 * HTTP/1.1 on one port, because that client's default request handler is HTTP/2 (`NodeHttp2Handler`). It emulates the
 * protocol and chosen failure modes, nothing of what AWS enforces (IAM, SCPs, guardrail policies are proven elsewhere).
 */
import { applyGroundingScope, applyInputPolicy } from './bedrock-answer';
import {
  answerApplyGuardrail, DEFAULT_BLOCKED_INPUT_MESSAGE, DEFAULT_EMULATED_PII, type EmulatedPiiEntity, type GuardrailBehaviour,
  type GuardrailRequestRecord, guardedTexts, parseApplyGuardrailPath,
} from './bedrock-apply-guardrail';
import { BEDROCK_FAULTS, type BedrockBehaviour, resolveBehaviour } from './bedrock-behaviour';
import { answerConverse } from './bedrock-converse';
import { type EmulatorRequest, type EmulatorResponse, listenHttp1And2, type Listening } from './bedrock-listener';
import {
  type BedrockMessage, type BedrockRequestRecord, checkSigV4, isRefusal, monotonicMs, parseModelPath,
} from './bedrock-request';
import { answerConverseStream } from './bedrock-stream';
import { answerToolUseStream, toolConfigProblem } from './bedrock-tool-use';
import { writeAwsError } from './bedrock-wire';
import { readBody } from '../http/http-body';

/** Properties of a `BedrockEmulator`. */
export interface BedrockEmulatorProps {
  /** Behaviour of every request that no queued behaviour or script decides. @default a quick answer (`DEFAULT_BEDROCK_BEHAVIOUR`) */
  readonly defaults?: BedrockBehaviour;
  /** Refuse requests that are not SigV4-signed for `bedrock` with 403, as AWS does. @default true */
  readonly requireSigV4?: boolean;
  /** TCP port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
  /**
   * The PII entities `ApplyGuardrail` finds (e-mail, phone, card number only) and their actions.
   * @default `DEFAULT_EMULATED_PII`: e-mail and phone anonymized, card numbers blocked
   */
  readonly piiEntities?: readonly EmulatedPiiEntity[];
  /** The guardrail's blocked-input message. @default `DEFAULT_BLOCKED_INPUT_MESSAGE` */
  readonly blockedInputMessage?: string;
  /**
   * The application inference profiles that exist: each ARN to the system profile it wraps, which a request naming the
   * ARN is answered as. A request naming any other application profile ARN gets the error for an unknown model id.
   * @default none
   */
  readonly applicationProfiles?: Readonly<Record<string, string>>;
}

/** An application inference profile's ARN (`arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>`). */
const APPLICATION_PROFILE_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:application-inference-profile\/[a-zA-Z0-9]+$/;

/** Decides a request's behaviour from its record (model id, call order, prompt); undefined leaves it to the defaults. */
export type BedrockScript = (request: BedrockRequestRecord) => BedrockBehaviour | undefined;

/** Which requests a queued behaviour applies to. */
export interface BedrockQueueOptions {
  /** Only requests for this model id (as decoded from the path, or the system profile an application profile wraps). @default any model */
  readonly modelId?: string;
  /** How many requests it answers before it is used up. @default 1 */
  readonly times?: number;
}

/** A started emulator: the endpoint to give the SDK client, and how to stop it. */
export interface RunningBedrockEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Client settings that reach the emulator: its endpoint, a Region and static dummy credentials (the SDK still signs). */
export function emulatorClientConfig(endpoint: string, region = 'eu-central-1') {
  return { endpoint, region, credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret-key' } };
}

interface QueuedBehaviour {
  readonly behaviour: BedrockBehaviour;
  readonly modelId?: string;
  remaining: number;
}

/**
 * An HTTP server that answers Bedrock Runtime's Converse and ConverseStream on 127.0.0.1 for the real SDK client.
 * Each request takes, in order: the first queued behaviour for its model (or for any model), else the script's answer,
 * else the defaults; missing fields fall back to the defaults. Every request is recorded in `requests`.
 */
export class BedrockEmulator {
  /** Every request received, in arrival order (refused ones too). */
  public readonly requests: BedrockRequestRecord[] = [];
  /** Every `ApplyGuardrail` request received, in arrival order (`bedrock-apply-guardrail.ts`). */
  public readonly guardrailRequests: GuardrailRequestRecord[] = [];
  private readonly guardrailQueue: GuardrailBehaviour[] = [];
  private piiEntities: readonly EmulatedPiiEntity[];
  private applicationProfileMap: Readonly<Record<string, string>>;
  private readonly defaults: BedrockBehaviour;
  private readonly requireSigV4: boolean;
  private readonly queued: QueuedBehaviour[] = [];
  private readonly perModel = new Map<string, number>();
  private scriptFn?: BedrockScript;
  private listening?: Listening;
  private active = 0;
  private peak = 0;

  constructor(private readonly props: BedrockEmulatorProps = {}) {
    this.defaults = props.defaults ?? {};
    this.requireSigV4 = props.requireSigV4 ?? true;
    this.piiEntities = props.piiEntities ?? DEFAULT_EMULATED_PII;
    this.applicationProfileMap = props.applicationProfiles ?? {};
  }

  /** Sets the application profiles that exist (ARN to wrapped system profile), until the next `reset` (the props' again). */
  public applicationProfiles(profiles: Readonly<Record<string, string>>): this {
    this.applicationProfileMap = profiles;
    return this;
  }

  /** Sets the PII entities `ApplyGuardrail` finds, until the next `reset` (which restores the props' or the defaults). */
  public guardrailPii(entities: readonly EmulatedPiiEntity[]): this {
    this.piiEntities = entities;
    return this;
  }

  /** Streams open now. */
  public get activeStreams(): number {
    return this.active;
  }

  /** The most streams open at once since the start (or the last `reset`). */
  public get peakStreams(): number {
    return this.peak;
  }

  /** Sets the script that decides behaviours (replacing any earlier one; undefined removes it). */
  public script(fn: BedrockScript | undefined): this {
    this.scriptFn = fn;
    return this;
  }

  /** Queues a behaviour for the next request(s), optionally of one model; queued behaviours go before the script. */
  public queue(behaviour: BedrockBehaviour, options: BedrockQueueOptions = {}): this {
    this.queued.push({ behaviour, modelId: options.modelId, remaining: options.times ?? 1 });
    return this;
  }

  /** Queues how the next `ApplyGuardrail` request is answered (a fault, a delay); each queued behaviour answers one. */
  public queueGuardrail(behaviour: GuardrailBehaviour): this {
    this.guardrailQueue.push(behaviour);
    return this;
  }

  /** Forgets the recorded requests, the queues, the script and the peak count. */
  public reset(): void {
    this.requests.length = 0;
    this.guardrailRequests.length = 0;
    this.guardrailQueue.length = 0;
    this.piiEntities = this.props.piiEntities ?? DEFAULT_EMULATED_PII;
    this.applicationProfileMap = this.props.applicationProfiles ?? {};
    this.queued.length = 0;
    this.perModel.clear();
    this.scriptFn = undefined;
    this.peak = this.active;
  }

  /** Starts listening on 127.0.0.1. */
  public async start(): Promise<RunningBedrockEmulator> {
    if (this.listening) throw new Error('the emulator is already started');
    this.listening = await listenHttp1And2((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) writeAwsError(res, { status: 500, errorType: 'InternalServerException', message: String(error) });
        else res.destroy();
      });
    }, this.props.port);
    return { endpoint: this.listening.endpoint, close: () => this.close() };
  }

  /** The endpoint, once started. */
  public get endpoint(): string {
    if (!this.listening) throw new Error('the emulator is not started');
    return this.listening.endpoint;
  }

  /** Stops listening and drops open connections. */
  public async close(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
  }

  private async handle(req: EmulatorRequest, res: EmulatorResponse): Promise<void> {
    const arrivedAtMonotonicMs = monotonicMs();
    const raw = (await readBody(req)).toString('utf8');
    const guardrailRoute = req.method === 'POST' ? parseApplyGuardrailPath(req.url ?? '') : undefined;
    if (guardrailRoute) return this.applyGuardrail(req, res, guardrailRoute, raw);
    const route = req.method === 'POST' ? parseModelPath(req.url ?? '') : undefined;
    if (!route) {
      writeAwsError(res, { status: 404, errorType: 'UnknownOperationException', message: `No operation at ${req.method} ${req.url}` });
      return;
    }
    const auth = checkSigV4(req.headers);
    const signed = !isRefusal(auth);
    const body = parseBody(raw);
    const modelSequence = this.perModel.get(route.modelId) ?? 0;
    this.perModel.set(route.modelId, modelSequence + 1);
    const wrapped = Object.hasOwn(this.applicationProfileMap, route.modelId) ? this.applicationProfileMap[route.modelId] : undefined;
    const record: BedrockRequestRecord = {
      sequence: this.requests.length,
      modelSequence,
      operation: route.operation,
      modelId: route.modelId,
      profileId: wrapped ?? route.modelId,
      httpVersion: req.httpVersion,
      path: req.url ?? '',
      signingRegion: signed ? auth.region : undefined,
      accessKeyId: signed ? auth.accessKeyId : undefined,
      headers: req.headers,
      body: body ?? {},
      messages: Array.isArray(body?.messages) ? (body.messages as BedrockMessage[]) : [],
      system: Array.isArray(body?.system) ? body.system : undefined,
      inferenceConfig: body?.inferenceConfig as Record<string, unknown> | undefined,
      guardrailConfig: body?.guardrailConfig as Record<string, unknown> | undefined,
      receivedAt: Date.now(),
      arrivedAtMonotonicMs,
      chunksSent: 0,
      outcome: 'pending',
    };
    this.requests.push(record);
    if (isRefusal(auth) && this.requireSigV4) {
      writeAwsError(res, auth);
      return refuse(record);
    }
    if (wrapped === undefined && APPLICATION_PROFILE_ARN.test(route.modelId)) {
      // No such application profile: answered as Bedrock answers a model id it does not know.
      writeAwsError(res, BEDROCK_FAULTS.validation);
      return refuse(record);
    }
    const invalid = validate(body) ?? toolConfigProblem(body);
    if (invalid) {
      writeAwsError(res, { status: 400, errorType: 'ValidationException', message: invalid });
      return refuse(record);
    }
    const scripted = resolveBehaviour(this.defaults, this.take(record) ?? this.scriptFn?.(record));
    const behaviour = applyInputPolicy(record, applyGroundingScope(record, scripted));
    if (route.operation === 'Converse') return answerConverse(res, record, behaviour);
    const { toolUse } = behaviour;
    const streams = {
      opened: () => {
        this.active++;
        this.peak = Math.max(this.peak, this.active);
      },
      closed: () => this.active--,
    };
    if (toolUse && !behaviour.guardrail) return answerToolUseStream(res, record, { ...behaviour, toolUse }, streams);
    return answerConverseStream(res, record, behaviour, streams);
  }

  private async applyGuardrail(
    req: EmulatorRequest, res: EmulatorResponse, route: { guardrailIdentifier: string; guardrailVersion: string }, raw: string,
  ): Promise<void> {
    const body = parseBody(raw);
    const record: GuardrailRequestRecord = { ...route, source: body?.source, texts: guardedTexts(body), outcome: 'pending' };
    this.guardrailRequests.push(record);
    const auth = checkSigV4(req.headers);
    if (isRefusal(auth) && this.requireSigV4) {
      writeAwsError(res, auth);
      record.outcome = 'invalid';
      return;
    }
    await answerApplyGuardrail(res, body, record, {
      entities: this.piiEntities,
      blockedMessage: this.props.blockedInputMessage ?? DEFAULT_BLOCKED_INPUT_MESSAGE,
      behaviour: this.guardrailQueue.shift(),
    });
  }

  private take(record: BedrockRequestRecord): BedrockBehaviour | undefined {
    const index = this.queued.findIndex((q) => q.modelId === undefined || q.modelId === record.modelId || q.modelId === record.profileId);
    if (index < 0) return undefined;
    const entry = this.queued[index];
    if (--entry.remaining <= 0) this.queued.splice(index, 1);
    return entry.behaviour;
  }
}

function refuse(record: BedrockRequestRecord): void {
  record.outcome = 'refused';
  record.endedAt = Date.now();
  record.endedAtMonotonicMs = monotonicMs();
}

function parseBody(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The service's validation of the parts the emulator reads: a JSON body whose messages start with the user. */
function validate(body: Record<string, unknown> | undefined): string | undefined {
  if (!body) return 'Malformed input request, please reformat your input and try again.';
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  const first = messages[0] as Partial<BedrockMessage>;
  if (first.role !== 'user') return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  const bad = messages.findIndex((m: Partial<BedrockMessage>) => (m.role !== 'user' && m.role !== 'assistant') || !Array.isArray(m.content));
  if (bad >= 0) return `Malformed message at index ${bad}: a message needs a role of user or assistant and a content list.`;
  return undefined;
}

export { BEDROCK_FAULTS, DEFAULT_BEDROCK_BEHAVIOUR, THROTTLE } from './bedrock-behaviour';
export type {
  BedrockBehaviour, BedrockFault, BedrockGuardrailIntervention, BedrockInputPolicy, BedrockStreamCut, BedrockStreamException,
  BedrockStreamExceptionType, BedrockUsage,
} from './bedrock-behaviour';
export type { BedrockOperation, BedrockRequestOutcome, BedrockRequestRecord } from './bedrock-request';
export { applyPiiEntities, DEFAULT_BLOCKED_INPUT_MESSAGE, DEFAULT_EMULATED_PII } from './bedrock-apply-guardrail';
export type { EmulatedPiiEntity, GuardrailBehaviour, GuardrailRequestRecord } from './bedrock-apply-guardrail';
export { monotonicMs } from './bedrock-request';
export { defaultAnswer, guardedInput, qualifiedTexts } from './bedrock-answer';
export type { BedrockToolCall, BedrockToolUse } from './bedrock-tool-call';
export { toolResultsOf, toolRoundsOf, type BedrockToolResult } from './bedrock-tool-use';
