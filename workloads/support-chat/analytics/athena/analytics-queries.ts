/** One of the support manager's saved queries (an Athena named query in the tenant's workgroup). */
export interface AnalyticsQuery {
  readonly name: string;
  /** The question it answers. */
  readonly question: string;
  readonly sql: string;
}

const RATE = (condition: string) => `round(100.0 * sum(CASE WHEN ${condition} THEN 1 ELSE 0 END) / count(*), 1)`;

/**
 * The support manager's questions over `conversations` and `conversation_turns` (`analytics-tables.ts`), in SQL that
 * Athena engine version 3 (Trino) runs; the tests run each, unchanged, in DuckDB on sample exports. Dates are the day a
 * conversation started (the `date` partition): add `WHERE "date" >= '…'` to read fewer days.
 */
export const ANALYTICS_QUERIES: readonly AnalyticsQuery[] = [
  {
    name: 'resolution-rate',
    question: 'What share of conversations a day ended resolved (not handed off, the last question answered other than with "I don\'t have that information")?',
    sql: `SELECT "date", count(*) AS conversations, sum(CASE WHEN resolved THEN 1 ELSE 0 END) AS resolved, ${RATE('resolved')} AS resolution_rate_pct
FROM conversations
GROUP BY "date"
ORDER BY "date"`,
  },
  {
    name: 'escalation-rate',
    question: 'What share of conversations a day went to a person?',
    sql: `SELECT "date", count(*) AS conversations, sum(CASE WHEN escalated THEN 1 ELSE 0 END) AS escalated, ${RATE('escalated')} AS escalation_rate_pct
FROM conversations
GROUP BY "date"
ORDER BY "date"`,
  },
  {
    name: 'escalation-reasons',
    question: 'Why do conversations go to a person?',
    sql: `SELECT escalation_reason AS reason, count(*) AS conversations, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct
FROM conversations
WHERE escalated
GROUP BY escalation_reason
ORDER BY conversations DESC, reason`,
  },
  {
    name: 'cost-per-conversation',
    question: 'What does a conversation cost, a day (the answers that carry a cost)?',
    sql: `SELECT "date", count(cost_usd) AS costed_conversations, round(avg(cost_usd), 6) AS average_usd, round(max(cost_usd), 6) AS max_usd,
  round(sum(cost_usd), 6) AS total_usd
FROM conversations
WHERE cost_usd IS NOT NULL
GROUP BY "date"
ORDER BY "date"`,
  },
  {
    name: 'csat-by-language',
    question: 'How satisfied are customers, by language (average score, share of 4 and 5)?',
    sql: `SELECT language, count(*) AS ratings, round(avg(csat_score), 2) AS average_score, ${RATE('csat_score >= 4')} AS satisfied_pct
FROM conversations
WHERE csat_score IS NOT NULL
GROUP BY language
ORDER BY language`,
  },
  {
    name: 'top-topics',
    question: 'What do customers ask about most (knowledge categories cited, tools called)?',
    sql: `SELECT topic, count(*) AS conversations
FROM conversations
CROSS JOIN UNNEST(topics) AS t (topic)
GROUP BY topic
ORDER BY conversations DESC, topic
LIMIT 20`,
  },
  {
    name: 'first-token-by-profile',
    question: 'How long does the first token take, by the inference profile that answered?',
    sql: `SELECT profile, count(*) AS answers, round(avg(first_token_ms)) AS average_ms, min(first_token_ms) AS min_ms, max(first_token_ms) AS max_ms
FROM conversation_turns
WHERE profile IS NOT NULL AND first_token_ms IS NOT NULL
GROUP BY profile
ORDER BY profile`,
  },
];
