import type { ArchiveTable } from '../../../../dashboards/athena/tables';
import { CONVERSATIONS_PREFIX, TURNS_PREFIX } from '../handlers/lib/export-layout';

/** The tenant's Glue database of its conversation exports. */
export const ANALYTICS_DATABASE = 'support_chat_analytics';

/** The first day the `date` projection lists (a query's partitions start here; earlier days read nothing). */
export const ANALYTICS_PROJECTION_START = '2026-01-01';

const JSON_LINES = {
  serde: 'org.openx.data.jsonserde.JsonSerDe',
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
};

/** `date`, the day a conversation started: `<prefix>date=yyyy-MM-dd/`, projected by day (no crawler, no partition to add). */
const datePartition = [{
  name: 'date',
  projection: { type: 'date', format: 'yyyy-MM-dd', range: `${ANALYTICS_PROJECTION_START},NOW`, interval: 1, unit: 'DAYS' },
}] as const;

/**
 * The two tables over the analytics bucket, with Athena partition projection by day (as the audit tables,
 * `dashboards/athena/tables.ts`): `conversations`, one row per conversation (`ConversationRecord`), and
 * `conversation_turns`, one row per answer (`TurnRecord`). Neither has a column with a customer's or the model's text,
 * or the customer's identity.
 */
export function analyticsTables(bucketName: string): ArchiveTable[] {
  return [
    {
      name: 'conversations',
      description: 'Support chat: one row per conversation (counts, times, outcomes, CSAT, topics, cost; no text, a pseudonym for the customer)',
      columns: [
        ['conversation_id', 'string'], ['customer_pseudonym', 'string'], ['language', 'string'], ['started_at', 'string'], ['ended_at', 'string'],
        ['turns', 'int'], ['answers', 'int'], ['resolved', 'boolean'], ['escalated', 'boolean'], ['escalation_reason', 'string'],
        ['csat_score', 'int'], ['topics', 'array<string>'], ['cost_usd', 'double'], ['costed_answers', 'int'],
      ].map(([name, type]) => ({ name, type })),
      partitionKeys: datePartition,
      locationTemplate: `s3://${bucketName}/${CONVERSATIONS_PREFIX}date=\${date}/`,
      ...JSON_LINES,
      classification: 'internal',
    },
    {
      name: 'conversation_turns',
      description: 'Support chat: one row per answer (time to first token, answering profile), by the day its conversation started',
      columns: [['conversation_id', 'string'], ['answered_at', 'string'], ['first_token_ms', 'int'], ['profile', 'string']].map(([name, type]) => ({ name, type })),
      partitionKeys: datePartition,
      locationTemplate: `s3://${bucketName}/${TURNS_PREFIX}date=\${date}/`,
      ...JSON_LINES,
      classification: 'internal',
    },
  ];
}
