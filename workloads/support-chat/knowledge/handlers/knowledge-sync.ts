import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  BedrockAgentClient, ConflictException, ListIngestionJobsCommand, StartIngestionJobCommand, type IngestionJobSummary,
} from '@aws-sdk/client-bedrock-agent';
import { KNOWLEDGE_SYNC_METRICS, SUPPORT_CHAT_SERVICES, type KnowledgeSyncMetricName } from '../../../../contracts/support-chat-metrics';
import { createTelemetry, type Telemetry } from '../../chat/handlers/lib/telemetry';

/**
 * The knowledge base's synchronization: EventBridge invokes it on every object created or deleted in the data-source
 * bucket and on the configured schedule. Each invocation looks at the data source's latest ingestion job, then starts a
 * new one (a job synchronizes the whole data source, so one start covers every change before it):
 *
 * - a job still running (`STARTING`, `IN_PROGRESS`, `STOPPING`): nothing is started (Bedrock runs one job per data
 *   source at a time); the schedule's next run picks up what changed meanwhile;
 * - the latest job `FAILED`, or `COMPLETE` with failed documents: one `KnowledgeSyncFailures`, counted as that job is
 *   superseded (so once while the next start succeeds);
 * - `StartIngestionJob` refused with `ConflictException` (a job started in between): not a failure; refused otherwise
 *   (throttled, access denied, the knowledge base gone): one `KnowledgeSyncFailures`.
 *
 * The start's client token is the EventBridge event's id, so a retried delivery of the same event starts no second job.
 * The function never throws for Bedrock's answers: a failure is a metric the alarm reads, and the next event or the
 * schedule starts again.
 */

/** What one invocation did. */
export interface SyncOutcome {
  readonly started?: string;
  readonly skipped?: 'job-running' | 'conflict';
  readonly failures: number;
  /** Why a failure was counted: the superseded job's reasons or the refused start's error. */
  readonly reasons: readonly string[];
}

/** The knowledge base and data source to synchronize. */
export interface SyncTarget {
  readonly knowledgeBaseId: string;
  readonly dataSourceId: string;
}

const RUNNING = new Set(['STARTING', 'IN_PROGRESS', 'STOPPING']);

/** Whether a finished job failed as a whole or for some documents. */
function failedJob(job: IngestionJobSummary): boolean {
  return job.status === 'FAILED' || (job.status === 'COMPLETE' && (job.statistics?.numberOfDocumentsFailed ?? 0) > 0);
}

/** One synchronization (see the file's comment). `clientToken` must be 33 to 256 characters (StartIngestionJob). */
export async function synchronize(client: BedrockAgentClient, target: SyncTarget, clientToken: string): Promise<SyncOutcome> {
  const { ingestionJobSummaries = [] } = await client.send(new ListIngestionJobsCommand({
    ...target, maxResults: 1, sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
  }));
  const latest = ingestionJobSummaries[0];
  if (latest?.status && RUNNING.has(latest.status)) return { skipped: 'job-running', failures: 0, reasons: [] };
  const previous = latest && failedJob(latest)
    ? [`ingestion job ${latest.ingestionJobId} ended ${latest.status}${latest.statistics?.numberOfDocumentsFailed ? ` with ${latest.statistics.numberOfDocumentsFailed} failed documents` : ''}`]
    : [];
  try {
    const { ingestionJob } = await client.send(new StartIngestionJobCommand({ ...target, clientToken }));
    return { started: ingestionJob?.ingestionJobId, failures: previous.length, reasons: previous };
  } catch (error) {
    if (error instanceof ConflictException) return { skipped: 'conflict', failures: previous.length, reasons: previous };
    const refused = `StartIngestionJob refused: ${(error as Error).name}: ${(error as Error).message}`;
    return { failures: previous.length + 1, reasons: [...previous, refused] };
  }
}

/** The client token of an EventBridge event: its id (a UUID, 36 characters), padded to StartIngestionJob's minimum of 33. */
export function clientTokenOf(eventId: string): string {
  return eventId.length >= 33 ? eventId.slice(0, 256) : eventId.padEnd(33, '0');
}

/** One invocation's outcome as EMF metrics: `KnowledgeSyncsStarted` and `KnowledgeSyncFailures`, printed at once. */
export function recordSync(metrics: Telemetry['metrics'], outcome: SyncOutcome): void {
  const add = (name: KnowledgeSyncMetricName, value: number) => metrics.addMetric(name, KNOWLEDGE_SYNC_METRICS[name] === 'count' ? MetricUnit.Count : MetricUnit.Milliseconds, value);
  add('KnowledgeSyncsStarted', outcome.started ? 1 : 0);
  add('KnowledgeSyncFailures', outcome.failures);
  metrics.publishStoredMetrics();
}

const telemetry = createTelemetry(SUPPORT_CHAT_SERVICES.knowledgeSync);
const client = new BedrockAgentClient({});

/** The Lambda handler: the target from `KNOWLEDGE_BASE_ID` and `DATA_SOURCE_ID`, the metrics as EMF in the function's log. */
export async function handler(event: { readonly 'id': string; readonly 'detail-type'?: string }): Promise<SyncOutcome> {
  const target = { knowledgeBaseId: process.env.KNOWLEDGE_BASE_ID ?? '', dataSourceId: process.env.DATA_SOURCE_ID ?? '' };
  if (!target.knowledgeBaseId || !target.dataSourceId) throw new Error('KNOWLEDGE_BASE_ID and DATA_SOURCE_ID must be set');
  const outcome = await synchronize(client, target, clientTokenOf(event.id));
  recordSync(telemetry.metrics, outcome);
  telemetry.logger[outcome.failures > 0 ? 'error' : 'info']('knowledge sync', { trigger: event['detail-type'], ...outcome });
  return outcome;
}
