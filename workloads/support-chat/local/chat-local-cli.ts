import { parseArgs } from 'node:util';
import { agentInTerminal } from './agent-terminal';
import { type ChatLocal, startChatLocal } from './chat-local';
import { chatInTerminal } from './chat-terminal';
import { emfSummary, tapEmf } from './emf-tap';
import { startWidgetPage } from './widget-page';
import { loadConfigFile, resolveConfigFile } from '../../../config/load';
import { ALICE_SUB } from '../../../emulators/order-api/order-api-emulator';
import { CHAT_API } from '../chat/chat-wiring';

/*
 * `npx projen chat:local [-- options]`: the support-chat tenant on this machine (`startChatLocal`), and a terminal chat
 * against it as a customer. Prints the WebSocket URL, a customer's id token (another client connects offering the
 * subprotocols `support-chat.v1` and the token, as deployed) and the page with the web widget, then reads lines from
 * stdin; Ctrl-C (or the end of stdin) stops everything.
 *
 *   --real-bedrock                 call Bedrock in the tenant's Region with the environment's AWS credentials
 *   --guardrail-arn <arn>          the guardrail to send with every call (needed with --real-bedrock)
 *   --guardrail-version <n>        its numeric version (needed with --real-bedrock)
 *   --region <region>              one of workloads.supportChat.regions (default: the first)
 *   --config <file>                another governance config (default: GOVERNANCE_CONFIG, else the example)
 *   --no-knowledge                 answer without the knowledge base (by default, a config with
 *                                  workloads.supportChat.knowledge grounds every answer in the example corpus,
 *                                  served by the knowledge-base emulator)
 *   --no-orders                    no order tool (by default the model may look up the signed-in customer's orders in
 *                                  the order API emulator; the terminal's customer is its first fixture customer)
 *   --agent <url> --token <t>      a human agent's terminal on the chat:local another terminal runs (it prints both):
 *                                  /list, /join <n>, a line is a reply, /approve <orderId> <amount>,
 *                                  /reject <orderId> [reason], /leave, /close
 *   --show-emf                     run the turn's and the authorizer's deployed entry points (bundled as the stack
 *                                  ships them, with Powertools) and print one line per EMF document they write, on stderr
 */

const USAGE = 'usage: npx projen chat:local [-- --real-bedrock --guardrail-arn <arn> --guardrail-version <n>] [--region <r>] [--config <file>] [--no-knowledge] [--no-orders] [--show-emf]\n       npx projen chat:local -- --agent <url> --token <agent token>';

/** The emulator's pacing locally: visible streaming, about as fast as a small model. */
const LOCAL_PACING = { firstTokenDelayMs: 180, interTokenDelayMs: 35, chunkSize: 5 } as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'real-bedrock': { type: 'boolean', default: false },
      'guardrail-arn': { type: 'string' },
      'guardrail-version': { type: 'string' },
      'region': { type: 'string' },
      'config': { type: 'string' },
      'no-knowledge': { type: 'boolean', default: false },
      'no-orders': { type: 'boolean', default: false },
      'show-emf': { type: 'boolean', default: false },
      'agent': { type: 'string' },
      'token': { type: 'string' },
      'help': { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.agent !== undefined) {
    // A human agent's terminal on a tenant another `chat:local` runs: the URL and agent token it printed.
    if (!values.token) throw new Error(`--agent needs --token <agent token> (the running chat:local prints both)\n${USAGE}`);
    const protocols = [CHAT_API.subprotocol, values.token];
    const agent = await agentInTerminal({ url: values.agent, protocols, input: process.stdin, output: process.stdout });
    await agent.finished;
    return;
  }
  const realBedrock = values['real-bedrock'] ?? false;
  const arn = values['guardrail-arn'];
  const version = values['guardrail-version'];
  if ((arn === undefined) !== (version === undefined) || (realBedrock && arn === undefined)) {
    throw new Error(`${realBedrock ? 'real Bedrock needs' : 'give both'} --guardrail-arn and --guardrail-version `
      + '(the workload contract\'s /genai-governance/workload/guardrail-arn and guardrail-version)\n' + USAGE);
  }
  const configFile = resolveConfigFile(values.config);
  const knowledge = !values['no-knowledge'] && loadConfigFile(configFile).workloads.supportChat?.knowledge !== undefined;
  const handOff = loadConfigFile(configFile).workloads.supportChat?.handOff !== undefined;
  // The bundled turn's EMF and JSON logs leave the terminal: one summary line per EMF document on stderr instead.
  const emf = values['show-emf'] ? tapEmf({ echo: (document) => process.stderr.write(`${emfSummary(document)}\n`) }) : undefined;
  const chat: ChatLocal = await startChatLocal({
    bundledTurn: emf !== undefined,
    bundledAuthorizer: emf !== undefined,
    configFile,
    knowledge,
    orders: !values['no-orders'] && !realBedrock,
    region: values.region,
    realBedrock,
    tokenTransport: 'subprotocol',
    handOff,
    guardrail: arn !== undefined && version !== undefined ? { identifier: arn, version } : undefined,
    bedrockDefaults: LOCAL_PACING,
  });
  let closing: Promise<void> | undefined;
  // The web widget on a page of this machine: sign in with any name (the local token issuer), then chat.
  const widgetPage = await startWidgetPage({ chatUrl: chat.url, signIn: (user) => chat.token('customer', user) });
  const shutdown = () => (closing ??= widgetPage.close().then(() => chat.close()).finally(() => emf?.close()));
  process.once('SIGINT', () => {
    process.stdout.write('\nstopping\n');
    void shutdown().then(() => process.exit(130));
  });

  // With the order tool, the terminal's customer is the order API emulator's first customer (ORD-10001 to ORD-10003).
  const token = chat.token('customer', { username: 'local-customer', ...(chat.orderApi ? { sub: ALICE_SUB } : {}) });
  const { classifier, fast, capable, fallback } = chat.models;
  console.log([
    `support-chat on this machine (${chat.region}; Bedrock: ${chat.emulator ? `emulator at ${chat.emulator.endpoint}` : 'the real service'}; `
      + `DynamoDB: the emulator at ${chat.dynamodb.endpoint}; STS and AppConfig's control plane: moto at ${chat.moto.endpoint}; AppConfig data plane at ${chat.appConfig.endpoint})`,
    `settings: AppConfig version ${chat.appConfig.deployedVersion} (application ${chat.appConfig.applicationId}, environment `
      + `${chat.appConfig.environment}, profile ${chat.appConfig.profileId})`,
    `profiles: classifier ${classifier}, fast ${fast}, capable ${capable}, fallback ${fallback.join(', ') || 'none'}`,
    `guardrail: ${chat.guardrail.identifier} version ${chat.guardrail.version}`,
    chat.knowledgeBase
      ? `knowledge base: emulator at ${chat.knowledgeBase.endpoint} (${chat.knowledgeBase.knowledgeBaseId}) over `
        + `${chat.knowledgeBase.emulator.corpus.documents.length} documents of workloads/support-chat/local/corpus; answers cite them`
      : 'knowledge base: none (answers are not grounded)',
    chat.orderApi
      ? `order tool: get_order_status on the order API emulator at ${chat.orderApi.endpoint}; you are its customer ${ALICE_SUB} `
        + '(try "where is my order ORD-10002?"; ORD-20001 is another customer\'s)'
      : 'order tool: none',
    `WebSocket URL:  ${chat.url}`,
    `customer token: ${token}`,
    `(another client: connect to ${chat.url} offering the subprotocols support-chat.v1 and <token>, e.g. `
      + 'wscat -c <url> -s support-chat.v1 -s <token>; send {"action":"sendMessage","conversationId","messageId","text"})',
    `web widget: ${widgetPage.url} (open it in a browser, sign in with any name)`,
    ...(handOff ? [
      'hand-off: write "talk to a human" and an agent can join; in another terminal, as the agent Dana:',
      `  npx projen chat:local -- --agent ${chat.url} --token ${chat.token('agent', { username: 'local-agent', name: 'Dana' })}`,
      ...(chat.orderApi ? ['refund approval: ask "where is my order ORD-10001?", then "I want a refund of 450 € for ORD-10001"; '
        + 'the agent sees it in /list, /join <n>, then /approve ORD-10001 450 (Step Functions\' waiting task on moto)'] : []),
    ] : []),
    'Type a message and press Enter; Ctrl-C quits.',
    '',
  ].join('\n'));
  const terminal = await chatInTerminal({ url: chat.url, protocols: chat.protocols(token), input: process.stdin, output: process.stdout });
  await terminal.finished;
  await shutdown();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
