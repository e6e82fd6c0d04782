import { randomUUID } from 'node:crypto';
import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import type { ChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { connect, type TestClient } from '../../../emulators/ws-client';

/* A chat user of the local harness and the messages they send: shared by the flow and settings tests. */

/** One user: a fresh Cognito sub and a way to open connections as them. */
export interface User {
  readonly sub: string;
  connect(): Promise<TestClient>;
}

export function userOf(chat: ChatLocal): User {
  const sub = randomUUID();
  return { sub, connect: () => connect(chat.connectUrl(chat.token('customer', { sub }))) };
}

/** Sends a chat message (or a resume) and returns the frames of its answer, up to the `done` or `error` frame. */
export async function ask(client: TestClient, message: { action?: 'sendMessage' | 'resume'; conversationId: string; messageId: string; text?: string }) {
  client.ws.send(JSON.stringify({ action: 'sendMessage', ...message }));
  return framesOf(client, message.messageId);
}

export async function framesOf(client: TestClient, messageId: string, timeoutMs = 15_000): Promise<Frame[]> {
  const frames: Frame[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const parsed = JSON.parse(await client.nextMessage(Math.max(1, deadline - Date.now()))) as Frame | { message: string };
    if (!('type' in parsed)) throw new Error(`the gateway answered ${JSON.stringify(parsed)}`);
    if (parsed.messageId !== messageId) throw new Error(`a frame of another message: ${JSON.stringify(parsed)}`);
    frames.push(parsed);
    if (parsed.type !== 'chunk') return frames;
  }
}

export const textOf = (frames: Frame[]) => frames.map((f) => (f.type === 'chunk' ? f.text : '')).join('');
