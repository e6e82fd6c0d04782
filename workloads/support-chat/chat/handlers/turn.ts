import type { Context } from 'aws-lambda';
import { echoableId } from './lib/conversation-keys';
import { turnFailure } from './lib/error-frames';
import { encodeFrame } from './lib/frames';
import { createTelemetry, inSubsegment, loggableCorrelationId, recordTurn, recordTurnThrew, type Telemetry } from './lib/telemetry';
import { runTurn, type TurnDependencies, type TurnOutcome, type TurnRequest } from './turn-core';
import { turnDependencies } from './turn-dependencies';
import { SUPPORT_CHAT_SERVICES } from '../../../../contracts/support-chat-metrics';

/**
 * The Lambda Node.js runtime's response-streaming API (https://docs.aws.amazon.com/lambda/latest/dg/response-streaming-tutorial.html),
 * on `globalThis.awslambda` in Lambda. Powertools' invoke store creates `globalThis.awslambda` elsewhere too (without
 * `streamifyResponse`), so the function itself is what tells Lambda apart.
 */
const awslambda = (globalThis as {
  awslambda?: { streamifyResponse?: (handler: (event: unknown, stream: NodeJS.WritableStream, context: Context) => Promise<void>) => unknown };
}).awslambda;

/** The turn's entry point: one request in, its frames out as newline-delimited JSON on the response stream. */
export type TurnStreamHandler = (event: unknown, stream: NodeJS.WritableStream, context?: Context) => Promise<void>;

/** Runs one turn: `runTurn` in the function, a stand-in in the wrapper's tests. */
export type TurnRunner = (request: TurnRequest, dependencies: TurnDependencies, send: (data: string) => Promise<void>) => Promise<TurnOutcome>;

/**
 * The turn's handler with its telemetry around `runTurn` (docs/adr/0008-support-chat-telemetry.md): logs carry the
 * Lambda request id, the conversation and message ids and, as `correlation_id`, the relay's API Gateway request id
 * (`correlationId`); one log line and one set of EMF metrics per turn (`recordTurn`), or `Errors` when the turn throws
 * or its dependencies cannot be built (then the stream still gets its one final frame, `internal`, and ends: the relay
 * sees a complete answer, never a bare invocation error); an X-Ray subsegment annotated with the result, and each AWS call
 * (Bedrock, DynamoDB, STS, AppConfig) as a subsegment. The dependencies are built on the first invocation, once per container (the breakers
 * and sessions live there). Never logged: the user's `sub` and any text.
 */
export function instrumentedTurn(telemetry: Telemetry, dependencies: () => TurnDependencies, run: TurnRunner = runTurn): TurnStreamHandler {
  const { logger, metrics, tracer } = telemetry;
  let built: TurnDependencies | undefined;
  return async (event, stream, context) => {
    const request = event as TurnRequest;
    if (context) logger.addContext(context);
    logger.appendKeys({
      conversationId: echoableId(request?.conversationId),
      messageId: echoableId(request?.messageId),
      action: String(request?.action),
    });
    if (typeof request?.correlationId === 'string') logger.setCorrelationId(loggableCorrelationId(request.correlationId));
    const frames = new FinalFrameStream(stream, request);
    try {
      await inSubsegment(tracer, '## turn', async () => {
        tracer.putAnnotation('conversationId', echoableId(request?.conversationId));
        let outcome: TurnOutcome;
        try {
          built ??= dependencies();
          outcome = await run(request, built, (line) => frames.write(line));
        } catch (error) {
          recordTurnThrew(metrics);
          logger.error('the turn threw', error as Error);
          tracer.putAnnotation('result', 'threw');
          await frames.failIfOpen();
          return;
        }
        recordTurn(metrics, outcome);
        tracer.putAnnotation('result', outcome.result);
        if (outcome.code) tracer.putAnnotation('code', outcome.code);
        if (outcome.profile) tracer.putAnnotation('profile', outcome.profile);
        logger.info('turn ended', { outcome });
      });
    } catch {
      // Only the telemetry itself can get here (the turn's own errors are handled above): the answer still gets its frame.
      await frames.failIfOpen();
    } finally {
      stream.end();
      logger.resetKeys();
    }
  };
}

/**
 * The response stream as the turn writes it: one frame a line. It keeps the next `seq` and whether a final frame
 * (`done` or `error`) went out, so a turn that throws (or whose dependencies cannot be built) still ends with exactly one
 * final frame: an `internal` error frame with the next `seq`, sent here.
 */
class FinalFrameStream {
  private nextSeq = 0;
  private final = false;

  constructor(private readonly stream: NodeJS.WritableStream, private readonly request: TurnRequest | undefined) {}

  write(line: string): Promise<void> {
    const header = frameHeader(line);
    if (typeof header.seq === 'number') this.nextSeq = header.seq + 1;
    if (header.type === 'done' || header.type === 'error' || header.type === 'rated') this.final = true;
    return new Promise<void>((resolve, reject) => this.stream.write(`${line}\n`, (error) => (error ? reject(error) : resolve())));
  }

  /** Sends the `internal` error frame unless a final frame went out; a stream that no longer takes writes is left as it is. */
  async failIfOpen(): Promise<void> {
    if (this.final) return;
    const { code, message } = turnFailure(undefined);
    const frame = encodeFrame({
      type: 'error', conversationId: echoableId(this.request?.conversationId), messageId: echoableId(this.request?.messageId), seq: this.nextSeq, code, message,
    });
    await this.write(frame).catch(() => undefined);
  }
}

/** The `type` and `seq` of an encoded frame (anything else: neither). */
function frameHeader(line: string): { type?: unknown; seq?: unknown } {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? parsed as { type?: unknown; seq?: unknown } : {};
  } catch {
    return {};
  }
}

/** The turn function's handler (outside Lambda, e.g. in tests, `handler` is undefined and `streamTurn` runs the same code). */
const telemetry = createTelemetry(SUPPORT_CHAT_SERVICES.turn);
const traced = <C extends object>(client: C): C => telemetry.tracer.captureAWSv3Client(client);
export const streamTurn = instrumentedTurn(telemetry, () => turnDependencies(process.env, process.env.AWS_REGION, traced));

export const handler = awslambda?.streamifyResponse ? awslambda.streamifyResponse(streamTurn) : undefined;
