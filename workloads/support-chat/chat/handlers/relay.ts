import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ConnectionIndex } from './lib/connection-index';
import { isGoneError } from './lib/frames';
import { RelayRateGate } from './lib/relay-rate';
import { settingsFromAppConfig } from './lib/settings-from-appconfig';
import { createTelemetry, inSubsegment, recordRelay, type Telemetry } from './lib/telemetry';
import { createRelay, type RelayDependencies, type RelayEvent, type TurnInvoker } from './relay-core';
import type { TurnLimits, TurnRequest } from './turn-core';
import { SUPPORT_CHAT_SERVICES } from '../../../../contracts/support-chat-metrics';
import { RefundApprovals } from '../../handoff/handlers/lib/refund-approvals';
import type { RelayEnvironment } from '../chat-wiring';

/**
 * The relay Lambda function (outside the VPC): invokes the turn function with `InvokeWithResponseStream` and posts
 * each newline-delimited frame of its response stream with `PostToConnection`. Environment: `TURN_FUNCTION_NAME`,
 * `CONNECTIONS_ENDPOINT` (the stage's `https://…/live` callback URL).
 */
const telemetry = createTelemetry(SUPPORT_CHAT_SERVICES.relay);
// Both clients' calls become X-Ray subsegments; the Lambda client passes the trace header on, so the turn's trace joins.
const lambda = telemetry.tracer.captureAWSv3Client(new LambdaClient({}));
const env = process.env as Partial<RelayEnvironment>;
const connections = telemetry.tracer.captureAWSv3Client(new ApiGatewayManagementApiClient({ endpoint: env.CONNECTIONS_ENDPOINT }));

/**
 * The per-user rate before the turn (`RelayRateGate`): the relay's own credentials, which may update only `RATE#`
 * partitions of the conversation table; the limit is the settings' in force, read from AppConfig as the turn reads it.
 */
export function relayRateGate(relayEnv: Partial<RelayEnvironment>, region: string | undefined, client: DynamoDBClient): RelayRateGate | undefined {
  if (!relayEnv.TABLE_NAME) return undefined;
  const settings = settingsFromAppConfig(relayEnv, region, (c) => telemetry.tracer.captureAWSv3Client(c));
  return new RelayRateGate({
    tableName: relayEnv.TABLE_NAME,
    client: DynamoDBDocumentClient.from(client),
    limit: async () => (await settings()).settings.limits.messagesPerUserPerMinute,
  });
}

const dynamo = telemetry.tracer.captureAWSv3Client(new DynamoDBClient({}));
const rate = relayRateGate(env, process.env.AWS_REGION, dynamo);
// The connection index of handed-off conversations (`CONN#` partitions, the relay's own credentials).
const connectionIndex = env.TABLE_NAME ? new ConnectionIndex({ tableName: env.TABLE_NAME, client: DynamoDBDocumentClient.from(dynamo) }) : undefined;
// The refund approvals waiting for an agent (`CONN#REFUND`) and the refund workflow's callback (SendTaskSuccess/Failure).
const refunds = env.TABLE_NAME ? new RefundApprovals({
  tableName: env.TABLE_NAME, client: DynamoDBDocumentClient.from(dynamo), stepFunctions: telemetry.tracer.captureAWSv3Client(new SFNClient({})),
}) : undefined;

/** Splits a byte stream into lines, across chunk boundaries. */
export async function* lines(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of chunks) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.length > 0) yield line;
    }
  }
  buffered += decoder.decode();
  if (buffered.length > 0) yield buffered;
}

const invokeTurn: TurnInvoker = async function* (request: TurnRequest) {
  const response = await lambda.send(new InvokeWithResponseStreamCommand({
    FunctionName: env.TURN_FUNCTION_NAME,
    Payload: new TextEncoder().encode(JSON.stringify(request)),
  }));
  async function* payload(): AsyncIterable<Uint8Array> {
    for await (const event of response.EventStream ?? []) {
      if (event.PayloadChunk?.Payload) yield event.PayloadChunk.Payload;
      if (event.InvokeComplete?.ErrorCode) throw new Error(`the turn failed: ${event.InvokeComplete.ErrorCode} ${event.InvokeComplete.ErrorDetails ?? ''}`);
    }
  }
  yield* lines(payload());
};

/** The relay's Lambda event: the WebSocket proxy event, with the request id API Gateway gives every message. */
export type RelayLambdaEvent = RelayEvent & { readonly requestContext: RelayEvent['requestContext'] & { readonly requestId?: string } };

/** Whether a frame carries answer text (`chunk`), rather than `done` or `error`. */
function isChunk(frame: string): boolean {
  try {
    return (JSON.parse(frame) as { type?: unknown }).type === 'chunk';
  } catch {
    return false;
  }
}

/**
 * The relay's handler with its telemetry around `createRelay` (docs/adr/0008-support-chat-telemetry.md): logs carry the
 * Lambda request id, the connection id, the route and, as `correlation_id`, API Gateway's request id, which the turn
 * receives as `correlationId` and logs under the same key; one set of EMF metrics per invocation (`recordRelay`: the
 * message, the time to the turn's first text frame, a client gone, a failure); an X-Ray subsegment around it. A failed
 * turn is logged and counted (`Errors`) here; the client has had its `internal` frame from `createRelay`, which never
 * throws for it.
 */
export function instrumentedRelay({ logger, metrics, tracer }: Telemetry, deps: RelayDependencies) {
  return async (event: RelayLambdaEvent, context?: Context): Promise<{ statusCode: number }> => {
    const { connectionId, routeKey, requestId } = event.requestContext;
    if (context) logger.addContext(context);
    logger.appendKeys({ connectionId, routeKey });
    if (requestId) logger.setCorrelationId(requestId);
    const seen = { invokedTurn: false, clientGone: false, threw: false, firstChunkMs: undefined as number | undefined };
    const failed = (error: unknown) => {
      seen.threw = true;
      logger.error('the relay failed', error as Error);
    };
    const relay = createRelay({
      ...deps,
      invokeTurn: async function* (request) {
        seen.invokedTurn = true;
        const started = Date.now();
        for await (const frame of deps.invokeTurn(requestId ? { ...request, correlationId: requestId } : request)) {
          if (seen.firstChunkMs === undefined && isChunk(frame)) seen.firstChunkMs = Date.now() - started;
          yield frame;
        }
      },
      post: async (id, frame) => {
        try {
          await deps.post(id, frame);
        } catch (error) {
          if (isGoneError(error)) seen.clientGone = true;
          throw error;
        }
      },
      onTurnFailed: (error) => {
        failed(error);
        deps.onTurnFailed?.(error);
      },
    });
    try {
      return await inSubsegment(tracer, '## relay', () => relay(event));
    } catch (error) {
      failed(error);
      throw error;
    } finally {
      recordRelay(metrics, seen);
      if (seen.invokedTurn) logger.info('message relayed', { clientGone: seen.clientGone, firstChunkMs: seen.firstChunkMs, failed: seen.threw });
      logger.resetKeys();
    }
  };
}

export const handler = instrumentedRelay(telemetry, {
  invokeTurn,
  post: async (connectionId, frame) => {
    await connections.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(frame) }));
  },
  disconnect: async (connectionId) => {
    await connections.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  },
  ...(rate ? { admit: (sub: string) => rate.admit(sub) } : {}),
  ...(connectionIndex ? { connectionIndex } : {}),
  ...(refunds ? { refunds } : {}),
  ...(env.LIMITS ? { maxInputCharacters: (JSON.parse(env.LIMITS) as TurnLimits).maxInputCharacters } : {}),
});
