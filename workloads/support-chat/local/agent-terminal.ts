import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { WebSocket } from 'ws';
import { openChatSocket, personLine } from './chat-terminal';
import type { Frame, OpenHandOff } from '../chat/handlers/lib/frames';

/** Options of `agentInTerminal`. */
export interface AgentTerminalOptions {
  /** The WebSocket URL (with an agent's token in its query string when `protocols` is not given). */
  readonly url: string;
  /** The subprotocols to offer, the agent's token among them (`ChatLocal.protocols`). @default none */
  readonly protocols?: readonly string[];
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/** A running agent terminal. */
export interface AgentTerminal {
  /** Resolves when the input ended (and the last action was answered) or the connection closed. */
  readonly finished: Promise<void>;
  close(): void;
}

/** The agent terminal's commands. */
export const AGENT_COMMANDS = '/list · /join <n> (or /join <customer sub> <conversationId>) · text: reply · /approve <orderId> <amount> · '
  + '/reject <orderId> [reason] · /leave · /close · /quit';

/**
 * A human agent's terminal on the chat (`npx projen chat:local -- --agent`): `/list` the open hand-offs (numbered),
 * `/join <n>` one (its conversation so far is printed), then every line is a reply to the customer; `/leave` leaves it,
 * `/close` leaves and closes it (the assistant answers the customer again); `/approve <orderId> <amount>` and
 * `/reject <orderId> [reason]` decide the joined conversation's refund approval (`/list` shows it). The customer's messages, other agents'
 * replies and the joined/left notices are printed as they arrive; an action's refusal prints its code and message. One
 * action at a time: the next line is sent after the last one's final frame.
 */
export async function agentInTerminal(options: AgentTerminalOptions): Promise<AgentTerminal> {
  const { input, output } = options;
  const ws: WebSocket = await openChatSocket(options.url, options.protocols);
  const interactive = Boolean(input.isTTY);
  const lines = createInterface({ input, output: interactive ? output : undefined, terminal: interactive, prompt: 'agent> ' });
  const pending: string[] = [];
  let listed: readonly OpenHandOff[] = [];
  let joined: { customer: string; conversationId: string } | undefined;
  let waiting: { messageId: string; done: (frame: Frame) => void } | undefined;
  let inputEnded = false;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => { resolveFinished = resolve; });
  const say = (line: string) => output.write(`${line}\n`);

  const send = (body: Record<string, unknown>, done: (frame: Frame) => void = () => undefined) => {
    const messageId = `a-${randomUUID().slice(0, 8)}`;
    waiting = { messageId, done };
    ws.send(JSON.stringify({ ...body, messageId }));
  };
  const next = () => {
    if (waiting) return;
    const line = pending.shift();
    if (line === undefined) {
      if (interactive) lines.prompt();
      if (inputEnded) ws.close();
      return;
    }
    if (!interactive) say(`agent> ${line}`);
    const [command, ...args] = line.split(/\s+/);
    if (command === '/list') {
      send({ action: 'listHandOffs' });
    } else if (command === '/join') {
      const chosen = args.length === 2 ? { customer: args[0], conversationId: args[1] } : listed[Number(args[0]) - 1];
      if (!chosen) {
        say('  ? /join <n> after /list, or /join <customer sub> <conversationId>');
        return next();
      }
      send({ action: 'joinConversation', customer: chosen.customer, conversationId: chosen.conversationId }, (frame) => {
        if (frame.type === 'done') joined = { customer: chosen.customer, conversationId: chosen.conversationId };
      });
    } else if (command === '/approve' || command === '/reject') {
      if (!joined || args.length === 0 || (command === '/approve' && args.length !== 2)) {
        say(joined ? '  ? /approve <orderId> <amount> or /reject <orderId> [reason]' : '  ? join a conversation first');
        return next();
      }
      const [orderId, ...rest] = args;
      const decision = command === '/approve'
        ? { action: 'approveRefund', orderId, amount: Number(rest[0]) }
        : { action: 'rejectRefund', orderId, ...(rest.length > 0 ? { reason: rest.join(' ') } : {}) };
      send({ ...decision, ...joined }, (frame) => {
        if (frame.type === 'done') say(`  · refund for ${orderId} ${command === '/approve' ? `approved (${rest[0]})` : 'rejected'}`);
      });
    } else if (command === '/leave' || command === '/close') {
      if (!joined) {
        say('  ? join a conversation first');
        return next();
      }
      send({ action: 'leaveConversation', ...joined, close: command === '/close' }, (frame) => {
        if (frame.type === 'done') joined = undefined;
      });
    } else if (joined) {
      send({ action: 'agentReply', ...joined, text: line });
    } else {
      say('  ? join a conversation first (/list, then /join <n>)');
      return next();
    }
  };

  ws.on('message', (data) => {
    let frame: Frame;
    try {
      frame = JSON.parse(data.toString()) as Frame;
    } catch {
      say(`  ? ${data.toString()}`);
      return;
    }
    const mine = waiting !== undefined && frame.messageId === waiting.messageId;
    if (frame.type === 'handOffs') {
      listed = frame.handOffs;
      say(listed.length === 0 ? '  no open hand-offs' : listed.map((h, i) => `  ${i + 1}. ${h.conversationId} of ${h.customer} since ${h.since}`
        + (h.refund ? ` · refund of up to ${h.refund.requestedAmount.toFixed(2)} for ${h.refund.orderIds.join(', ')} until ${h.refund.expiresAt}` : '')).join('\n'));
    } else if (frame.type === 'message' || frame.type === 'agentJoined' || frame.type === 'agentLeft') {
      // Our own reply comes back as the stored message: no need to print it twice.
      if (!(mine && frame.type === 'message' && frame.from === 'agent')) say(personLine(frame));
    } else if (frame.type === 'error') {
      say(`  ! ${frame.code}: ${frame.message}`);
    } else if (frame.type === 'done' && mine && frame.delivered === 0 && joined) {
      say('  · the customer is not connected: the message is stored and shown when they come back');
    }
    const final = frame.type === 'done' || frame.type === 'error' || frame.type === 'handOffs';
    if (mine && final && waiting) {
      const { done } = waiting;
      waiting = undefined;
      done(frame);
      next();
    }
  });
  ws.on('close', () => {
    lines.close();
    resolveFinished();
  });
  lines.on('line', (line) => {
    const text = line.trim();
    if (text === '/quit') {
      ws.close();
      return;
    }
    if (text.length > 0) pending.push(text);
    next();
  });
  lines.on('close', () => {
    inputEnded = true;
    if (!waiting && pending.length === 0) ws.close();
  });
  say(`  ${AGENT_COMMANDS}`);
  if (interactive) lines.prompt();
  return { finished, close: () => ws.close() };
}
