import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createRelay, type RelayEvent, type TurnInvoker } from './relay-core';
import type { TurnRequest } from './turn-core';

/**
 * The relay Lambda function (outside the VPC): invokes the turn function with `InvokeWithResponseStream` and posts
 * each newline-delimited frame of its response stream with `PostToConnection`. Environment: `TURN_FUNCTION_NAME`,
 * `CONNECTIONS_ENDPOINT` (the stage's `https://…/live` callback URL).
 */
const lambda = new LambdaClient({});
const connections = new ApiGatewayManagementApiClient({ endpoint: process.env.CONNECTIONS_ENDPOINT });

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
    FunctionName: process.env.TURN_FUNCTION_NAME,
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

const relay = createRelay({
  invokeTurn,
  post: async (connectionId, frame) => {
    await connections.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(frame) }));
  },
});

export const handler = (event: RelayEvent) => relay(event);
