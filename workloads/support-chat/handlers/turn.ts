import { runTurn, type TurnDependencies, type TurnRequest } from './turn-core';
import { turnDependencies } from './turn-dependencies';

/** The Lambda Node.js runtime's response-streaming API (https://docs.aws.amazon.com/lambda/latest/dg/response-streaming-tutorial.html). */
declare const awslambda: {
  streamifyResponse(handler: (event: unknown, stream: NodeJS.WritableStream) => Promise<void>): unknown;
};

let dependencies: TurnDependencies | undefined;

/**
 * The turn Lambda function (inside the baseline VPC): runs one turn (`runTurn`) for the relay and streams its frames
 * back as newline-delimited JSON through Lambda response streaming, which the relay reads with
 * `InvokeWithResponseStream`. The dependencies are built once per container (the breakers and sessions live there).
 */
export async function streamTurn(event: unknown, stream: NodeJS.WritableStream): Promise<void> {
  dependencies ??= turnDependencies(process.env);
  const write = (line: string) => new Promise<void>((resolve, reject) => stream.write(`${line}\n`, (error) => (error ? reject(error) : resolve())));
  await runTurn(event as TurnRequest, dependencies, write);
  stream.end();
}

export const handler = typeof awslambda === 'undefined' ? undefined : awslambda.streamifyResponse(streamTurn);
