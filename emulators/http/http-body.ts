import type { ServerResponse } from 'node:http';

/* The request body and JSON answers of the harness's loopback servers (the Bedrock emulator, its control server, the
 * local gateway's @connections API, the local AppConfig data plane). */

/** The whole body of an HTTP/1.1 or HTTP/2 request. */
export async function readBody(request: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers with `body` as JSON. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
