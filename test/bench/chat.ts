import { buildReport } from './chat/figures';
import type { Stops } from './chat/harness';
import { observeHttpRequests } from './chat/moto-requests';
import { options } from './chat/options';
import { print } from './chat/print';
import { writeReport } from './chat/report-file';
import { runBench } from './chat/run';

/*
 * `npx projen bench:chat [-- --sessions N --seconds S --throttle F --rate R --baseline-seconds B --seed X]`: the support-chat
 * path under load on the local harness, against a bare ConverseStream on the same Bedrock emulator.
 *
 * Processes (the machine's cores are shared by all of them; the table shows who used how much):
 * - this one: the tenant as `startChatLocal` runs it (the local WebSocket gateway with the real authorizer and relay, the
 *   real turn in-process, the local issuer and AppConfig), pointed with `bedrockEndpoint` at
 * - the Bedrock emulator in a process of its own (`bedrock-emulator-process.ts`): pacing as a small model streams (first
 *   text after 200 ms, 12 characters ≈ 3 tokens a chunk every 30 ms; the classifier answers in 150 ms), `--throttle` of
 *   ALL model requests (classifier and answer attempts alike) answered with ThrottlingException (429), seeded;
 * - the load generator (`chat/clients.ts`): `--sessions` WebSocket sessions, each a distinct Cognito-style user with its
 *   own id token and its own conversation;
 * - moto (DynamoDB, STS, AppConfig's control plane), which the harness starts.
 *
 * Pacing of the sessions: a schedule, one slot per session every `sessions / rate` seconds, the sessions' slots spread
 * evenly, so the tenant gets `rate` messages a second in aggregate (100 sessions at 100/s: one message per session per
 * second, the seed's peak); a session never has two messages in flight (a user reads the answer before asking again): when
 * an answer ends after the session's next slot, the next message goes at once, and a slot is never caught up twice. So a
 * slow chat path lowers the rate it gets (closed loop); the rate achieved is measured and printed.
 *
 * Times: every process stamps with `process.hrtime.bigint()`, which on Linux is CLOCK_MONOTONIC, one clock for the whole
 * host; the bench checks that at the start (the emulator's stamp must fall between two of its own). The clients stamp each
 * message when sent, at its first `chunk` frame (time to first token, TTFT) and at its `done` or `error` frame (end to
 * end). The emulator stamps each request it serves from its headers to its last bytes (or its fault), and records the
 * turn's tag (in brackets at the start of the user's text). Per turn, the figures (model time, retry gaps, overhead,
 * of it waiting on moto and the rest, TTFT overhead) are defined in `chat/analysis.ts`.
 *
 * Model time is the emulator's pacing, so what is not model time is measured, not modelled; but moto is not DynamoDB (a
 * Python server on the same cores, whose TransactWriteItems copies the whole table), so "waiting on moto" says little of
 * what DynamoDB would add. The load and CPU section shows whether moto or the chat process saturated, and how the run
 * held up in 10-second slices.
 *
 * API Gateway's "Endpoint request timed out" (a route that outlasts 29 s) is noted and the client keeps waiting: the relay
 * goes on and may still post the turn's frames, as on AWS; any other gateway message ends the turn at the client.
 *
 * The baseline (`chat/baseline.ts`): a bare ConverseStream of the real SDK on the same emulator, schedule, pacing and
 * throttling. Memory per connection: `chat/memory.ts`. Messages lost: every message sent is checked against the table
 * read back (`chat/verify-stored.ts`); any violation is listed and the exit code is 1. Timing goals are printed with
 * whether they were met, not asserted. Writes bench-out/chat.json (`chat/report.ts` is its shape).
 */

async function main(): Promise<number> {
  observeHttpRequests();
  const opts = options();
  const stops: Stops = [];
  try {
    const report = buildReport(await runBench(opts, stops));
    print(report);
    writeReport(report);
    return report.integrity.lost.length + report.integrity.other.length > 0 ? 1 : 0;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
