import type { SupportedLanguage } from './languages';
import { matchingForm, wordText } from './word-boundaries';

/*
 * Messages the assistant does not answer alone: an explicit request for a person (a human, an agent, a manager) and a
 * legal threat. Phrases are matched on whole words (`word-boundaries.ts`), in every language whatever the message was
 * detected as, accents and case ignored. `{a|b|}` in a phrase stands for each alternative (the empty one: nothing).
 * Words with an everyday meaning are only listed inside phrases: "conseiller" (to advise), "avocat" (avocado), "Gericht"
 * (a dish), "juicio" (judgement), "poursuivre" (to continue), "manager" of "management".
 */

/** Why a message goes to a person. */
export type EscalationReason = 'legal_threat' | 'human_requested';

/** The trigger found in a message. */
export interface EscalationTrigger {
  readonly reason: EscalationReason;
  /** The language of the phrase that matched. */
  readonly language: SupportedLanguage;
  /** The phrase, in matching form (lower case, no accents). */
  readonly phrase: string;
}

type PhraseList = Readonly<Record<SupportedLanguage, readonly string[]>>;

const HUMAN_REQUESTED: PhraseList = {
  en: [
    '{talk|speak|chat} {to|with} {a|an|the|your|some|} {real|live|actual|human|} {human|humans|person|people|agent|representative|rep|operator|manager|supervisor|someone|somebody|employee}',
    '{real|live|human|actual} {person|agent|human|operator|representative}',
    '{get|give|put|transfer|connect} me {to|with|through to|} {a|an|the|your|} {human|person|agent|representative|operator|manager|supervisor|someone}',
    '{want|need} {a|an|the|your} {human|manager|supervisor|agent|representative|operator}',
    '{transfer|escalate} me', 'escalate {this|my case|my complaint}',
    '{manager|supervisor|human|agent|representative} please',
    '{talk|speak} to customer {service|support}',
  ],
  es: [
    '{hablar|habla|hablo|comunicarme|chatear} con {una|un|el|la|su|alguien|} {persona|humano|agente|asesor|asesora|operador|operadora|supervisor|supervisora|gerente|encargado|encargada|responsable|empleado|persona real|ser humano}',
    '{agente|persona|asesor|operador} {humano|humana|real}',
    '{atención|atencion} humana',
    '{quiero|necesito|exijo} {un|una|al|a un|a una|el|la} {humano|persona real|agente|asesor|operador|supervisor|gerente|encargado|responsable}',
    '{pásame|páseme|pasame|paseme|pásenme|pasenme|comuníqueme|comunícame} con',
    '{me pasa|me pasan|me puede pasar|me puedes pasar} con {un agente|una persona|un asesor|una asesora|un humano|un operador|alguien|el encargado|la encargada|el supervisor|la supervisora}',
    '{hablar|comunicarme} con alguien',
  ],
  zh: [
    '转人工', '转接人工', '人工客服', '人工服务', '真人客服', '找真人', '找人工', '要人工', '转客服', '转接客服', '找客服',
    '人工坐席', '找个真人', '找个人工', '我要人工', '要真人', '找经理', '找你们经理', '找主管', '找你们领导', '叫你们经理',
  ],
  fr: [
    '{parler|discuter|échanger} {à|a|avec} {un|une|le|la|votre|quelqu\'un|} {vrai|vraie|} {conseiller|conseillère|humain|personne|agent|opérateur|opératrice|responsable|superviseur|manager|être humain|interlocuteur}',
    '{parler|discuter} {à|a|avec} quelqu\'un',
    '{conseiller|conseillère|agent|opérateur|interlocuteur} {humain|humaine}',
    '{vrai|vraie} {humain|personne|conseiller|conseillère}',
    '{je veux|je voudrais|je souhaite|je demande} {un|une|le|la|votre} {conseiller|conseillère|humain|responsable|superviseur|manager}',
    '{passez|mettez|transférez|transferez}-moi {un|une|le|la|votre|à|a|en relation avec|} {conseiller|conseillère|humain|responsable|superviseur|agent}',
    'mettre en relation avec un {conseiller|conseillère|humain|agent}',
  ],
  de: [
    'mit {einem|einer|ihrem|ihrer|dem|der|einem echten|einer echten|einem menschlichen} {menschen|mensch|mitarbeiter|mitarbeiterin|berater|beraterin|kundenberater|kundenberaterin|vorgesetzten|chef|verantwortlichen|agenten|person} {sprechen|reden|verbinden|chatten|schreiben}',
    'mit jemandem {sprechen|reden}',
    '{einen|eine|ihren|ihre} {echten|menschlichen|} {menschen|mitarbeiter|mitarbeiterin|vorgesetzten|chef|berater|beraterin} sprechen',
    '{echter|echten|echte|echtem} {mensch|menschen|mitarbeiter|person}',
    '{menschlicher|menschlichen} {mitarbeiter|berater|ansprechpartner|kontakt}',
    'verbinden sie mich',
    '{ihren|ihre|den|die} {vorgesetzten|chef|chefin|geschäftsführer|geschäftsführerin} sprechen',
    '{an|zu} einen {mitarbeiter|menschen|berater} {weiterleiten|verbinden}',
  ],
};

const LEGAL_THREAT: PhraseList = {
  en: [
    '{sue|suing} {you|your|them|the company|this company|the shop|this shop}', '{will|gonna|going to|to|i ll|i d|and} sue', 'sue u', 'sued', 'lawsuit', '{lawyer|lawyers|attorney|attorneys|solicitor|solicitors}', 'legal action', 'legal proceedings',
    '{take|taking} you to court', 'small claims', 'class action', 'see you in court',
  ],
  es: [
    '{demandar|demandaré|demandare|demandaremos|demandarlos|demandarles|demandaros|demandarte|demandarle|demando}',
    '{poner|pondré|pondre|presentar|presentaré|presentare} una {demanda|denuncia}',
    '{denunciar|denunciaré|denunciare|denunciarlos|denunciarles}', '{abogado|abogados|abogada|abogadas}',
    '{acciones|acción|accion} {legales|legal|judiciales|judicial}', 'vía judicial', '{llevar|llevarlos|llevaré|llevare|ir} a juicio',
    '{los|las|nos} veremos en los tribunales', 'a los tribunales',
  ],
  zh: ['起诉', '律师', '律师函', '告你们', '告你', '打官司', '上法院', '法律途径', '法律手段', '诉讼'],
  fr: [
    'porter plainte', '{mon|mes|notre|nos} {avocat|avocats|avocate|avocates}', '{poursuivre|poursuivrai|poursuivrons} en justice',
    'poursuites {judiciaires|en justice}', 'action en justice', '{au|aux} tribunal', '{au|aux} tribunaux', 'mise en demeure',
    'vous attaquer en justice', '{procès|proces}', 'saisir {le tribunal|la justice}',
  ],
  de: [
    '{verklagen|verklage|verklagt|verklagen werde}', 'klage {einreichen|erheben}', '{anwalt|anwälte|anwaltin|anwältin|rechtsanwalt|rechtsanwältin|rechtsanwälte|anwaltskanzlei}',
    'rechtliche schritte', 'vor gericht', '{gerichtlich|gerichtliche}', 'abmahnung',
  ],
};

/**
 * Requests that are the whole message (ignoring case, accents and punctuation), such as "人工" or "agent": alone they ask
 * for a person, inside a sentence they may not ("人工费" is labour cost, "agent" may be a shipping agent).
 */
const WHOLE_MESSAGE: PhraseList = {
  en: ['{a|} {human|person|agent|operator|representative|manager|supervisor} {please|}', '{please|} {human|agent|operator}'],
  es: ['{un|una|} {humano|agente|asesor|operador|persona} {por favor|}'],
  zh: ['{请|} {人工|真人|客服|人工客服|转人工} {谢谢|}'],
  fr: ['{un|une|} {humain|conseiller|conseillère|agent|opérateur} {svp|s\'il vous plaît|}'],
  de: ['{einen|eine|} {mitarbeiter|mitarbeiterin|menschen|mensch|berater|beraterin} {bitte|}'],
};

/** Each `{a|b|}` group replaced by each of its alternatives, spaces collapsed. */
export function expandPhrase(phrase: string): string[] {
  const group = /\{([^{}]*)\}/.exec(phrase);
  if (!group) return [phrase.replace(/\s+/g, ' ').trim()];
  const before = phrase.slice(0, group.index);
  const after = phrase.slice(group.index + group[0].length);
  return group[1].split('|').flatMap((alternative) => expandPhrase(`${before}${alternative}${after}`));
}

interface Phrase {
  readonly reason: EscalationReason;
  readonly language: SupportedLanguage;
  readonly phrase: string;
}

function compile(reason: EscalationReason, lists: PhraseList): Phrase[] {
  return (Object.entries(lists) as Array<[SupportedLanguage, readonly string[]]>).flatMap(([language, phrases]) =>
    [...new Set(phrases.flatMap(expandPhrase).map(matchingForm).filter((p) => p.length > 0))].map((phrase) => ({ reason, language, phrase })));
}

/** Every phrase, legal threats first (they win when a message has both). */
export const ESCALATION_PHRASES: readonly Phrase[] = [...compile('legal_threat', LEGAL_THREAT), ...compile('human_requested', HUMAN_REQUESTED)];

/**
 * The whole-message requests by their text without spaces (Chinese matching form has none between words); a word of two
 * languages ("agent") keeps the first one's.
 */
const WHOLE_MESSAGE_PHRASES = compile('human_requested', WHOLE_MESSAGE).reduce((map, p) => {
  const key = p.phrase.replace(/ /g, '');
  return map.has(key) ? map : map.set(key, p);
}, new Map<string, Phrase>());

/** The phrases by their first character, each with its place in `ESCALATION_PHRASES`. */
const BY_FIRST_CHARACTER = ESCALATION_PHRASES.reduce((index, phrase, order) => {
  const key = phrase.phrase[0];
  index.set(key, [...(index.get(key) ?? []), { phrase: phrase.phrase, order }]);
  return index;
}, new Map<string, Array<{ phrase: string; order: number }>>());

/**
 * The request for a person that is the whole of `text` (`WHOLE_MESSAGE`), else the escalation phrase in it that comes
 * first in `ESCALATION_PHRASES` (a legal threat before a request for a person), or `undefined`. Each word start is tried against the phrases beginning with its character, so the work grows
 * with the message, not with the number of phrases.
 */
export function findEscalationTrigger(text: string): EscalationTrigger | undefined {
  if (typeof text !== 'string' || text.trim().length === 0) return undefined;
  const words = wordText(text);
  const whole = WHOLE_MESSAGE_PHRASES.get(words.text.replace(/ /g, ''));
  if (whole) return whole;
  let best: number | undefined;
  for (const start of words.boundaries) {
    for (const { phrase, order } of BY_FIRST_CHARACTER.get(words.text[start]) ?? []) {
      if (best !== undefined && order >= best) continue;
      if (words.text.startsWith(phrase, start) && words.boundaries.has(start + phrase.length)) best = order;
    }
  }
  return best === undefined ? undefined : ESCALATION_PHRASES[best];
}
