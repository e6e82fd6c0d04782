import { lastUserText } from '../../../emulators/bedrock-runtime/bedrock-answer';
import type { BedrockScript } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import type { BedrockRequestRecord } from '../../../emulators/bedrock-runtime/bedrock-request';
import { ROUTER_PROMPT, type RouteLabel } from '../chat/handlers/lib/router';

/**
 * The emulated routing classifier of the local harness: the emulator answers the turn's classifier call (Converse with
 * the router's system prompt, `../chat/handlers/lib/router.ts`) with a label picked by keywords, so a local chat routes
 * as a deployed one would: "where is my order" to the fast model, "my parcel arrived damaged" to the capable one.
 * Anything unrecognized is `other` (complex). The keywords are a stand-in for a model, in English and a little German, French,
 * Spanish and Italian; nothing depends on them beyond which profile answers.
 */
const KEYWORDS: readonly [RouteLabel, RegExp][] = [
  ['complaint', /\b(refund|damaged|broken|wrong item|missing|complain\w*|unhappy|angry|beschwerde|kaputt|remboursement|reembolso|rimborso)\b/i],
  ['policy', /\b(return|returns|warranty|guarantee|privacy|terms|allowed|rückgabe|garantie|retour|devoluci[oó]n|reso)\b/i],
  ['technical', /\b(does not work|doesn't work|not working|error|set ?up|install\w*|compatib\w*|funktioniert nicht|ne marche pas)\b/i],
  ['order_status', /\b(order|orders|delivery|deliver\w*|tracking|track|parcel|package|shipped|bestellung|lieferung|commande|pedido|ordine)\b/i],
  ['faq', /\b(opening hours|hours|payment|pay|shipping cost\w*|account|password|zahlung|paiement|pago|pagamento)\b/i],
];

/** Whether a request is the turn's classifier call. */
export function isClassifierRequest(request: BedrockRequestRecord): boolean {
  return request.operation === 'Converse' && (request.system ?? []).some((block) => block.text === ROUTER_PROMPT.system);
}

/** The label the emulated classifier answers for a customer's message: the first keyword group that matches, else `other`. */
export function localLabel(message: string): RouteLabel {
  return KEYWORDS.find(([, pattern]) => pattern.test(message))?.[0] ?? 'other';
}

/**
 * An emulator script that answers classifier calls with `localLabel` of the customer's message and leaves every other
 * request to `next` (then to the emulator's queue and defaults). Install it with `emulator.script(withLocalClassifier(...))`.
 */
export function withLocalClassifier(next?: BedrockScript): BedrockScript {
  return (request) => {
    if (!isClassifierRequest(request)) return next?.(request);
    const message = /<message>\n([\s\S]*)\n<\/message>/.exec(lastUserText(request))?.[1] ?? '';
    return { answer: localLabel(message), firstTokenDelayMs: 0, interTokenDelayMs: 0, usage: { outputTokens: 2 } };
  };
}
