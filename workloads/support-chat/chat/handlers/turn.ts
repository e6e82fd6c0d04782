import type { Context } from 'aws-lambda';
import { echoableId } from './lib/conversation-keys';
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
 * (rethrown: the relay sees the invocation fail); an X-Ray subsegment annotated with the result, and each AWS call
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
    try {
      await inSubsegment(tracer, '## turn', async () => {
        built ??= dependencies();
        tracer.putAnnotation('conversationId', echoableId(request?.conversationId));
        const write = (line: string) => new Promise<void>((resolve, reject) => stream.write(`${line}\n`, (error) => (error ? reject(error) : resolve())));
        let outcome: TurnOutcome;
        try {
          outcome = await run(request, built, write);
        } catch (error) {
          recordTurnThrew(metrics);
          logger.error('the turn threw', error as Error);
          throw error;
        }
        recordTurn(metrics, outcome);
        tracer.putAnnotation('result', outcome.result);
        if (outcome.code) tracer.putAnnotation('code', outcome.code);
        if (outcome.profile) tracer.putAnnotation('profile', outcome.profile);
        logger.info('turn ended', { outcome });
      });
      stream.end();
    } finally {
      logger.resetKeys();
    }
  };
}

/** The turn function's handler (outside Lambda, e.g. in tests, `handler` is undefined and `streamTurn` runs the same code). */
const telemetry = createTelemetry(SUPPORT_CHAT_SERVICES.turn);
const traced = <C extends object>(client: C): C => telemetry.tracer.captureAWSv3Client(client);
export const streamTurn = instrumentedTurn(telemetry, () => turnDependencies(process.env, process.env.AWS_REGION, traced));

export const handler = awslambda?.streamifyResponse ? awslambda.streamifyResponse(streamTurn) : undefined;
