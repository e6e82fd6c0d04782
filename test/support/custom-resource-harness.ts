import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { bundleHandler } from '../../building-blocks/custom-resources/inline-handler';
import { startMoto, type MotoServer } from '../../emulators/moto/moto-server';

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
 * Loads a handler the way it ships: bundled by `bundleHandler` (the code a member template inlines as `ZipFile`, or a
 * stack ships as its code asset's `index.js`), evaluated as CommonJS with the project's `require` so `@aws-sdk/*`
 * resolves as the Lambda runtime's copy would.
 */
export function loadInlineHandler(entry: string): Handler {
  const code = bundleHandler(entry);
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
  properties: Record<string, string | string[]>,
  options: { physicalResourceId?: string; oldProperties?: Record<string, string | string[]> } = {},
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

/**
 * Fixes the jitter of the SDK's standard retry mode for every test of the file: after a retryable error the SDK waits
 * a random fraction (`Math.random()`) of its exponential backoff, and the bundled handler's SDK, loaded through Jest's
 * module registry (`loadInlineHandler`), shares the test's `Math`. With the fraction fixed the waits are predictable
 * (fraction x base delay x 2^retry) and short. Nothing else the handlers or the SDK clients do draws random numbers.
 */
export function fixRetryJitter(fraction: number): void {
  let random: jest.SpiedFunction<typeof Math.random> | undefined;
  beforeEach(() => {
    random = jest.spyOn(Math, 'random').mockReturnValue(fraction);
  });
  afterEach(() => random?.mockRestore());
}

/** Credentials moto accepts (it does not check them unless IAM is enforced). */
export const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

/** A handler under test with its moto server and response URL, set up and torn down by the test file's hooks. */
export interface HandlerTestBed {
  readonly responseUrl: ResponseUrlServer;
  /** The moto server of the test file (started in `beforeAll`, reset before each test). */
  readonly moto: () => MotoServer;
  /** Points the handler's SDK client at `endpoint` (moto, a second moto, a fault proxy) with the given credentials. */
  readonly useEndpoint: (endpoint: string, credentials?: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string }) => void;
  /** Sends one event to the handler and returns the one answer it PUT to the response URL. */
  readonly run: (...args: Parameters<typeof customResourceEvent>) => Promise<CustomResourceResponse>;
}

/**
 * Registers `beforeAll`/`afterAll`/`beforeEach` hooks for a handler test file: the bundled handler, moto_server on a
 * free port (reset before each test), a response-URL server, and the SDK's endpoint variables (`AWS_ENDPOINT_URL_<SERVICE>`,
 * one per service the handler calls) pointing at moto. `motoEnv` reaches the moto process (`MOTO_ACCOUNT_ID`: the
 * account moto answers as). The process environment is restored afterwards.
 */
export function handlerTestBed(
  entry: string, endpointVariables: string | readonly string[], region: string, motoEnv: Record<string, string> = {},
): HandlerTestBed {
  const handler = loadInlineHandler(entry);
  const responseUrl = new ResponseUrlServer();
  const savedEnv = { ...process.env };
  let moto: MotoServer | undefined;
  const useEndpoint = (endpoint: string, credentials = TEST_CREDENTIALS) => {
    const endpoints = Object.fromEntries([endpointVariables].flat().map((variable) => [variable, endpoint]));
    Object.assign(process.env, { AWS_REGION: region, ...endpoints, ...credentials });
  };
  beforeAll(async () => {
    [moto] = await Promise.all([startMoto({ env: motoEnv }), responseUrl.start()]);
  });
  afterAll(async () => {
    process.env = savedEnv;
    await Promise.all([moto?.stop(), responseUrl.stop()]);
  });
  beforeEach(async () => {
    useEndpoint(moto!.endpoint);
    await fetch(`${moto!.endpoint}/moto-api/reset`, { method: 'POST' });
  });
  return {
    responseUrl,
    moto: () => moto!,
    useEndpoint,
    run: async (...args) => {
      const before = responseUrl.responses.length;
      await handler(customResourceEvent(...args), { logStreamName: '2026/11/23/[$LATEST]abc' });
      if (responseUrl.responses.length !== before + 1) throw new Error(`the handler answered ${responseUrl.responses.length - before} times, not once`);
      return responseUrl.responses[before];
    },
  };
}
