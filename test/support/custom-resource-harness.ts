import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { inlineHandlerCode } from '../../stacksets/rollout/inline-handler';

/** What a handler PUT to the response URL: CloudFormation's custom-resource response object. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly PhysicalResourceId: string;
  readonly Reason?: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

type Handler = (event: CloudFormationCustomResourceEvent, context?: { logStreamName: string }) => Promise<void>;

/**
 * Loads a handler the way it ships: bundled by `inlineHandlerCode` (the code the member template inlines), evaluated
 * as CommonJS with the project's `require` so `@aws-sdk/*` resolves as the Lambda runtime's copy would.
 */
export function loadInlineHandler(entry: string): Handler {
  const code = inlineHandlerCode(entry);
  const mod = { exports: {} as { handler?: Handler } };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('module', 'exports', 'require', code)(mod, mod.exports, createRequire(__filename));
  if (typeof mod.exports.handler !== 'function') throw new Error(`${entry}: the bundle exports no handler`);
  return mod.exports.handler;
}

/** A local stand-in for CloudFormation's pre-signed response URL: records every response a handler sends. */
export class ResponseUrlServer {
  public readonly responses: CustomResourceResponse[] = [];
  private server?: Server;

  public async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => {
        if (req.method === 'PUT') this.responses.push(JSON.parse(body) as CustomResourceResponse);
        res.writeHead(req.method === 'PUT' ? 200 : 405).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
  }

  public get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/response`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

let requestCounter = 0;

/** A CloudFormation custom-resource event as CloudFormation sends it (properties as strings). */
export function customResourceEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  responseUrl: string,
  properties: Record<string, string>,
  options: { physicalResourceId?: string; oldProperties?: Record<string, string> } = {},
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:741852096357:function:genai-governance-invocation-logging',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:741852096357:stack/StackSet-genai-governance-baseline-regional-1/0a1b2c3d',
    RequestId: `request-${++requestCounter}`,
    LogicalResourceId: 'InvocationLogging',
    ResourceType: 'Custom::BedrockModelInvocationLogging',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:741852096357:function:genai-governance-invocation-logging', ...properties },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  const PhysicalResourceId = options.physicalResourceId ?? 'bedrock-model-invocation-logging';
  if (requestType === 'Delete') return { ...common, RequestType: 'Delete', PhysicalResourceId };
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId,
    OldResourceProperties: { ServiceToken: common.ServiceToken, ...(options.oldProperties ?? {}) },
  };
}
