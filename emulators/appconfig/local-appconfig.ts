import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AppConfigClient, CreateApplicationCommand, CreateConfigurationProfileCommand, CreateHostedConfigurationVersionCommand,
  GetConfigurationProfileCommand, GetHostedConfigurationVersionCommand,
} from '@aws-sdk/client-appconfig';
import Ajv from 'ajv-draft-04';
import { readBody, sendJson } from '../http/http-body';

/**
 * The tenant's AWS AppConfig on this machine. The control plane is the pinned moto server's: the application, the
 * free-form configuration profile with its JSON Schema validator, and every hosted configuration version are created with
 * the real `@aws-sdk/client-appconfig` as the stack declares them. moto has neither environments, deployments nor the
 * data plane (`appconfigdata`), so `deploy` does locally what a deployment does: it reads the version back from moto,
 * validates it with the profile's validator (Draft 4, Ajv), refuses it with AppConfig's `BadRequestException` when it
 * fails, and otherwise makes it the environment's (at once: the canary or linear strategy and the alarm rollback are
 * AppConfig's, not emulated). The data plane is a loopback server speaking the `appconfigdata` REST wire format the SDK
 * (and Powertools Parameters) uses: `POST /configurationsessions` (201, an initial token) and
 * `GET /configuration?configuration_token=` (the content when it changed since the token's last read, else empty; the
 * next token and the poll interval in headers; a used or unknown token is a `BadRequestException`).
 */

/** Options of `startLocalAppConfig`. */
export interface LocalAppConfigOptions {
  /** moto's endpoint. */
  readonly motoEndpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The configuration profile's JSON Schema validator. */
  readonly schema: Record<string, unknown>;
  /** The content of the first version, deployed at start. */
  readonly initial: unknown;
  /** Names as the stack gives them. @default support-chat, local, settings */
  readonly names?: { readonly application?: string; readonly environment?: string; readonly profile?: string };
}

/** The running local AppConfig. */
export interface LocalAppConfig {
  /** The data plane's endpoint (the turn's `APPCONFIG_ENDPOINT`). */
  readonly endpoint: string;
  readonly applicationId: string;
  readonly environment: string;
  readonly profileId: string;
  /** The deployed version number. */
  readonly deployedVersion: number;
  /** Creates a hosted version and deploys it; throws (nothing deployed) when the validator refuses it. */
  deploy(content: unknown): Promise<number>;
  /** Creates a hosted version in moto without validating or deploying it (to show what the validator refuses). */
  createVersion(content: unknown): Promise<number>;
  close(): Promise<void>;
}

/** AppConfig's error of a version its validator refuses. */
export class LocalValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`the configuration does not pass the profile's JSON Schema validator: ${problems.join('; ')}`);
    this.name = 'BadRequestException';
  }
}

export async function startLocalAppConfig(options: LocalAppConfigOptions): Promise<LocalAppConfig> {
  const names = { application: 'support-chat', environment: 'local', profile: 'settings', ...options.names };
  const control = new AppConfigClient({ endpoint: options.motoEndpoint, region: options.region, credentials: options.credentials });
  const app = await control.send(new CreateApplicationCommand({ Name: names.application }));
  const profile = await control.send(new CreateConfigurationProfileCommand({
    ApplicationId: app.Id!,
    Name: names.profile,
    LocationUri: 'hosted',
    Type: 'AWS.Freeform',
    Validators: [{ Type: 'JSON_SCHEMA', Content: JSON.stringify(options.schema) }],
  }));
  const ids = { application: app.Id!, profile: profile.Id! };

  // The validator as AppConfig keeps it: read back from moto, not the object passed in.
  const stored = await control.send(new GetConfigurationProfileCommand({ ApplicationId: ids.application, ConfigurationProfileId: ids.profile }));
  const validatorContent = stored.Validators?.find((v) => v.Type === 'JSON_SCHEMA')?.Content;
  if (!validatorContent) throw new Error('moto returned the configuration profile without its JSON Schema validator');
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(validatorContent) as object);

  let deployed: { version: number; content: Uint8Array } | undefined;
  const createVersion = async (content: unknown) => {
    const created = await control.send(new CreateHostedConfigurationVersionCommand({
      ApplicationId: ids.application,
      ConfigurationProfileId: ids.profile,
      Content: new TextEncoder().encode(JSON.stringify(content)),
      ContentType: 'application/json',
    }));
    return created.VersionNumber!;
  };
  const deploy = async (content: unknown) => {
    const version = await createVersion(content);
    const hosted = await control.send(new GetHostedConfigurationVersionCommand({
      ApplicationId: ids.application, ConfigurationProfileId: ids.profile, VersionNumber: version,
    }));
    const bytes = hosted.Content ?? new Uint8Array();
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch (error) {
      throw new LocalValidationError([`not JSON: ${(error as Error).message}`]);
    }
    if (!validate(parsed)) {
      throw new LocalValidationError((validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim()));
    }
    deployed = { version, content: bytes };
    return version;
  };

  /** The open tokens of the one configuration served, each with the version its client has (0: none yet). */
  const sessions = new Map<string, number>();
  const known = (value: unknown, ...accepted: string[]) => typeof value === 'string' && accepted.includes(value);
  const server: Server = createServer((request, response) => {
    void serve(request, response).catch((error: unknown) => sendError(response, 500, 'InternalServerException', String(error)));
  });
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'POST' && url.pathname === '/configurationsessions') {
      const body = JSON.parse((await readBody(request)).toString('utf8') || '{}') as Record<string, unknown>;
      if (!known(body.ApplicationIdentifier, ids.application, names.application)
        || !known(body.EnvironmentIdentifier, names.environment)
        || !known(body.ConfigurationProfileIdentifier, ids.profile, names.profile)) {
        sendError(response, 404, 'ResourceNotFoundException', 'Requested resource not found');
        return;
      }
      const token = randomUUID();
      sessions.set(token, 0);
      sendJson(response, 201, { InitialConfigurationToken: token });
      return;
    }
    if (request.method === 'GET' && url.pathname === '/configuration') {
      const token = url.searchParams.get('configuration_token') ?? '';
      const delivered = sessions.get(token);
      if (delivered === undefined) {
        sendError(response, 400, 'BadRequestException', 'Request contains an invalid or expired configuration token');
        return;
      }
      sessions.delete(token);
      const next = randomUUID();
      const current = deployed;
      const changed = current !== undefined && current.version !== delivered;
      sessions.set(next, current?.version ?? 0);
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'Next-Poll-Configuration-Token': next,
        'Next-Poll-Interval-In-Seconds': '15',
        ...(changed ? { 'Version-Label': String(current.version) } : {}),
      });
      response.end(changed ? Buffer.from(current.content) : undefined);
      return;
    }
    sendError(response, 404, 'ResourceNotFoundException', `no route ${request.method} ${url.pathname}`);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    await deploy(options.initial);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    control.destroy();
    throw error;
  }
  return {
    endpoint,
    applicationId: ids.application,
    environment: names.environment,
    profileId: ids.profile,
    get deployedVersion() { return deployed?.version ?? 0; },
    deploy,
    createVersion,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      control.destroy();
    },
  };
}

/** An error as AWS's REST-JSON protocol writes it: the type in `x-amzn-ErrorType` and the body. */
function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, status, { Message: message }, { 'x-amzn-ErrorType': type });
}
