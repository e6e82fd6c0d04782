import { Session } from './client-session';
import type { ClientsCommand, ClientsEvent } from './clients-protocol';
import { onSchedule } from './schedule';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-request';

/*
 * The load generator of `bench:chat` (test/bench/chat.ts), in a process of its own so that the clients' CPU and memory
 * do not count against the chat path: WebSocket sessions, each a user with its own id token, that send chat messages as
 * the web widget does and time every answer at the client on the host's monotonic clock (`monotonicMs`, the clock the
 * emulator process stamps its requests with). Driven over the IPC channel of `child_process.fork`.
 */

function main(): void {
  const sessions: Session[] = [];
  const reply = (event: ClientsEvent) => process.send?.(event);
  process.on('message', (command: ClientsCommand) => {
    const work = async () => {
      switch (command.cmd) {
        case 'connect': {
          const added = command.sessions.map((plan) => new Session(plan));
          const failures: string[] = [];
          const openMs: number[] = [];
          // Ten handshakes at a time, as a crowd of browsers opening the widget would.
          for (let i = 0; i < added.length; i += 10) {
            const results = await Promise.allSettled(added.slice(i, i + 10).map((s) => s.open()));
            for (const r of results) {
              if (r.status === 'fulfilled') openMs.push(r.value);
              else failures.push(r.reason instanceof Error ? r.reason.message : String(r.reason));
            }
          }
          sessions.push(...added);
          return reply({ evt: 'connected', openMs, failures });
        }
        case 'once': {
          const cpu = process.cpuUsage();
          const turns = await Promise.all(sessions.map((s) => s.ask(command.phase, monotonicMs())));
          return reply({ evt: 'turns', turns, cpu: process.cpuUsage(cpu) });
        }
        case 'run': {
          const cpu = process.cpuUsage();
          const turns = await onSchedule(sessions.length, command.startAtMs, command.seconds, command.rate, (i, _k, slot) => sessions[i].ask('run', slot));
          return reply({ evt: 'turns', turns, cpu: process.cpuUsage(cpu) });
        }
        case 'disconnect':
          await Promise.all(sessions.map((s) => s.close()));
          sessions.length = 0;
          return reply({ evt: 'disconnected' });
        case 'exit':
          process.disconnect?.();
          return process.exit(0);
      }
    };
    work().catch((error: unknown) => reply({ evt: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) }));
  });
  // A parent that dies takes the clients with it.
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) main();
