import type { ChildProcess } from 'node:child_process';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startClients } from './clients-channel';
import type { ClientsCommand, ClientsEvent } from './clients-protocol';
import { motoPid } from './cpu';
import { checkSharedClock, startEmulatorProcess } from './emulator';
import { observeOnly } from './moto-requests';
import type { Options } from './options';
import { emulatorClientConfig } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import type { EmulatorProcessAddress } from '../../../workloads/support-chat/local/bedrock-emulator-process';
import { type ChatLocal, LOCAL_CREDENTIALS, startChatLocal } from '../../../workloads/support-chat/local/chat-local';

/** What to stop at the end, in reverse order. */
export type Stops = Array<() => Promise<void> | void>;

/** The bench's processes and clients, started. */
export interface Harness {
  readonly emulator: EmulatorProcessAddress;
  readonly clock: { readonly probes: number; readonly widestBracketMs: number };
  readonly chat: ChatLocal;
  /** The per-user rate limit the bench set (messages a minute), and what each user sends. */
  readonly perUserLimit: number;
  readonly perUserPerMinute: number;
  readonly motoPort: number;
  readonly moto?: number;
  /** The DynamoDB emulator's latency probe's client. */
  readonly probeClient: DynamoDBDocumentClient;
  /** The baseline's client of the emulator. */
  readonly bedrock: BedrockRuntimeClient;
  readonly clients: { readonly child: ChildProcess; readonly ask: (command: ClientsCommand) => Promise<ClientsEvent> };
}

/** Starts the emulator process, the tenant in this process, and the load generator; pushes how to stop each on `stops`. */
export async function startHarness(opts: Options, stops: Stops): Promise<Harness> {
  // 1. The emulator in its own process, not throttling yet; its clock must be ours.
  const emulatorProcess = await startEmulatorProcess(opts);
  stops.push(() => {
    emulatorProcess.child.kill('SIGTERM');
  });
  const emulator = emulatorProcess.address;
  const clock = await checkSharedClock(emulator);

  // 2. The tenant in this process, its Bedrock calls to the emulator process. Each bench user sends rate / sessions
  //    messages a second (60 a minute at the defaults): the per-user rate limit (20 a minute by default) is raised to let
  //    that load through; the seed's peak is an aggregate, which at 20 a minute per user takes 300 users or more.
  const perUserPerMinute = (60 * opts.rate) / opts.sessions;
  let perUserLimit = 0;
  const chat = await startChatLocal({
    bedrockEndpoint: emulator.endpoint,
    settings: (defaults) => {
      perUserLimit = Math.min(600, Math.max(defaults.limits.messagesPerUserPerMinute, Math.ceil(perUserPerMinute * 1.5) + 5));
      return { ...defaults, limits: { ...defaults.limits, messagesPerUserPerMinute: perUserLimit } };
    },
  });
  stops.push(() => chat.close());
  // The turns' DynamoDB requests are timed (the emulator's port); STS on moto, once per user per 15 minutes, is not.
  const motoPort = Number(new URL(chat.dynamodb.endpoint).port);
  observeOnly(motoPort);
  const moto = motoPid();
  const probeRaw = new DynamoDBClient({ endpoint: chat.dynamodb.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS });
  const probeClient = DynamoDBDocumentClient.from(probeRaw);
  stops.push(() => probeRaw.destroy());
  const bedrock = new BedrockRuntimeClient(emulatorClientConfig(emulator.endpoint, chat.region));
  stops.push(() => bedrock.destroy());

  // 3. The load generator.
  const clients = startClients();
  stops.push(async () => {
    if (clients.child.connected) await clients.ask({ cmd: 'exit' }).catch(() => undefined);
    clients.child.kill('SIGTERM');
  });
  return { emulator, clock, chat, perUserLimit, perUserPerMinute, motoPort, moto, probeClient, bedrock, clients };
}
