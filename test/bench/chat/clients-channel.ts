import { type ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import { CHILD_ENV, ROOT, TS_NODE } from './children';
import type { ClientsCommand, ClientsEvent, ClientTurn } from './clients-protocol';

/** The load generator (`clients.ts`), and a request/answer channel to it. */
export function startClients(): { child: ChildProcess; ask: (command: ClientsCommand) => Promise<ClientsEvent> } {
  const child = fork(path.join(__dirname, 'clients.ts'), [], { cwd: ROOT, env: CHILD_ENV, execArgv: TS_NODE });
  const ask = (command: ClientsCommand) => new Promise<ClientsEvent>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the clients process exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (event: ClientsEvent) => {
      child.off('exit', onExit);
      if (event.evt === 'failed') reject(new Error(`the clients process failed: ${event.message}`));
      else resolve(event);
    });
    child.send(command);
  });
  return { child, ask };
}

export function turnsOf(event: ClientsEvent): { turns: readonly ClientTurn[]; cpu: NodeJS.CpuUsage } {
  if (event.evt !== 'turns') throw new Error(`expected the clients' turns, got ${event.evt}`);
  return event;
}
