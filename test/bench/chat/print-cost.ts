import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../../config/load';
import { tenantCostPrices } from '../../../workloads/support-chat/cost/cost-prices';
import { conversationCostUsd } from '../../../workloads/support-chat/cost/handlers/lib/turn-cost';

/** The seed's target for what one conversation costs, USD. */
export const CONVERSATION_COST_TARGET_USD = { low: 0.01, high: 0.05 } as const;

/** Conversation lengths the cost is printed for: the first k answers of each session. */
const CONVERSATION_TURNS = [3, 5, 8] as const;

const usd = (v: number) => `$${v >= 0.01 ? v.toFixed(4) : v.toPrecision(3)}`;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function verdict(v: number): string {
  if (v < CONVERSATION_COST_TARGET_USD.low) return 'under the target';
  return v <= CONVERSATION_COST_TARGET_USD.high ? 'within the target' : 'OVER the target';
}

/**
 * Prints what the run's turns cost: each stored answer's `costUsd` (the usage the emulator reports, which estimates
 * about four characters a token, at the example config's `workloads.supportChat.pricing`), per turn, and per
 * conversation of the first 3, 5 and 8 answers of each session (later answers carry more history) with ingestion's
 * share once, beside the seed's target of USD 0.01 to 0.05 a conversation. The traffic mix is the sessions' questions in
 * turn (`questions.ts`: about half to the fast profile, half to the capable one).
 */
export function printCost(costsByConversation: readonly (readonly number[])[]): void {
  const prices = tenantCostPrices(loadConfigFile(DEFAULT_CONFIG_FILE), 'eu-central-1');
  const all = costsByConversation.flat().sort((a, b) => a - b);
  console.log('\nCost (each answer\'s costUsd: the emulator\'s usage, about 4 characters a token, at the example\'s pricing; '
    + `target USD ${CONVERSATION_COST_TARGET_USD.low}–${CONVERSATION_COST_TARGET_USD.high} a conversation)`);
  if (!prices || all.length === 0) {
    console.log('  no answer was costed (no workloads.supportChat.pricing, or no answer stored)');
    return;
  }
  const mean = all.reduce((s, c) => s + c, 0) / all.length;
  console.log(`  per turn: ${all.length} answers, mean ${usd(mean)}, p50 ${usd(quantile(all, 0.5))}, p95 ${usd(quantile(all, 0.95))}, `
    + `max ${usd(all[all.length - 1])}`);
  console.log(`  ingestion's embeddings, amortised: ${usd(prices.ingestionPerConversationUsd ?? 0)} a conversation`);
  for (const k of CONVERSATION_TURNS) {
    const long = costsByConversation.filter((c) => c.length >= k);
    if (long.length === 0) continue;
    const each = long.map((c) => conversationCostUsd(c.slice(0, k), prices)).sort((a, b) => a - b);
    const m = each.reduce((s, c) => s + c, 0) / each.length;
    console.log(`  a conversation of ${k} turns (${long.length} sessions): mean ${usd(m)}, p95 ${usd(quantile(each, 0.95))}: ${verdict(m)}`);
  }
}
