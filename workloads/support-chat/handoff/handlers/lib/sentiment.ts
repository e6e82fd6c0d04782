import { containsPhrase, matchingForm, wordText } from '../../../language/handlers/lib/word-boundaries';

/*
 * An offline lexicon heuristic of a message's sentiment in the tenant's five languages: no model call, no network. It
 * counts whole-word matches (`containsPhrase`, Unicode word segmentation: Chinese by ICU's dictionary) of short negative
 * and positive lists, in matching form (lower case, accents removed), and scores (positive - negative) / matches. It is
 * a heuristic, not a classifier: negation ("not bad"), irony and words outside the lists are not understood. Its job is
 * narrow: to notice a customer who is getting angrier, so a person takes over before the assistant makes it worse.
 */

/** Words and short phrases, in matching form, by polarity. */
const LEXICON: { readonly negative: readonly string[]; readonly positive: readonly string[] } = {
  negative: [
    // en
    'angry', 'furious', 'terrible', 'awful', 'horrible', 'useless', 'worst', 'ridiculous', 'unacceptable', 'disgusting',
    'scam', 'fraud', 'rip off', 'disappointed', 'frustrated', 'fed up', 'hate', 'pathetic', 'never again', 'waste of time',
    // es
    'enfadado', 'enfadada', 'furioso', 'furiosa', 'terrible', 'horrible', 'inutil', 'pesimo', 'pesima', 'vergüenza',
    'verguenza', 'inaceptable', 'estafa', 'fraude', 'harto', 'harta', 'decepcionado', 'decepcionada', 'indignante',
    // zh
    '生气', '愤怒', '太差', '垃圾', '骗子', '失望', '投诉', '无语', '糟糕', '恶心', '气死', '差评',
    // fr
    'furieux', 'furieuse', 'inadmissible', 'inacceptable', 'nul', 'nulle', 'honteux', 'arnaque', 'escroquerie', 'decu',
    'decue', 'marre', 'lamentable', 'scandaleux', 'agace', 'agacee',
    // de
    'wutend', 'sauer', 'schrecklich', 'furchtbar', 'unverschamt', 'inakzeptabel', 'betrug', 'abzocke', 'enttauscht',
    'frechheit', 'katastrophe', 'nutzlos', 'unmoglich', 'schlecht', 'argerlich',
  ],
  positive: [
    'thanks', 'thank you', 'great', 'perfect', 'excellent', 'helpful', 'awesome', 'happy', 'resolved', 'solved',
    'gracias', 'perfecto', 'excelente', 'genial', 'estupendo', 'resuelto',
    '谢谢', '感谢', '太好了', '完美', '满意', '解决了',
    'merci', 'parfait', 'excellent', 'genial', 'super', 'resolu',
    'danke', 'perfekt', 'super', 'toll', 'prima', 'gelost', 'hervorragend',
  ],
};

const NEGATIVE = [...new Set(LEXICON.negative.map(matchingForm))];
const POSITIVE = [...new Set(LEXICON.positive.map(matchingForm))];

/**
 * The sentiment of one message from -1 (negative) to 1 (positive): (positive matches - negative matches) / matches, 0
 * when it matches nothing. Repeated exclamation marks (`!!`, `！！`) count as one more negative match when the message
 * has a negative one already.
 */
export function sentimentOf(text: string): number {
  if (typeof text !== 'string' || text.trim().length === 0) return 0;
  const words = wordText(text);
  const negative = NEGATIVE.filter((w) => containsPhrase(words, w)).length;
  const positive = POSITIVE.filter((w) => containsPhrase(words, w)).length;
  const shouted = negative > 0 && /[!！]{2,}/.test(text) ? 1 : 0;
  const total = negative + shouted + positive;
  return total === 0 ? 0 : Math.round(((positive - negative - shouted) / total) * 100) / 100;
}

/** Whether the customer's messages, oldest first, have turned negative: the last two each at or below `threshold`. */
export function isNegativeTrend(trend: readonly number[], threshold = -0.5): boolean {
  const last = trend.slice(-2);
  return last.length === 2 && last.every((s) => s <= threshold);
}
