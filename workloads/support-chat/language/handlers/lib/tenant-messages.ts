import { DEFAULT_LANGUAGE, type SupportedLanguage } from './languages';

/*
 * Every text the tenant sends on its own, in each of its languages: the error frames' messages keyed by their codes
 * (`ERROR_CODES` of the chat protocol; a code with two situations has a second key), the degraded answer, the notice
 * that a human agent takes over and the offer of one (which quotes a phrase that hands the conversation off, so writing it
 * does; also the answer when the knowledge base has nothing on a question),
 * and the answer when it cannot be searched. `{name}` is a parameter; each language has the same ones.
 * Register: polite and short (usted, vous, Sie, 您). French puts a no-break space before ; : ? !
 */

type Translations = Readonly<Record<SupportedLanguage, string>>;

export const TENANT_MESSAGES = {
  input_too_long: {
    en: 'Messages are limited to {max} characters; please shorten yours.',
    es: 'Los mensajes tienen un máximo de {max} caracteres; acorte el suyo, por favor.',
    zh: '每条消息最多 {max} 个字符，请缩短您的消息。',
    fr: 'Les messages sont limités à {max} caractères\u00a0; veuillez raccourcir le vôtre.',
    de: 'Nachrichten dürfen höchstens {max} Zeichen lang sein; bitte kürzen Sie Ihre Nachricht.',
  },
  missing_text: {
    en: 'The message has no text.',
    es: 'El mensaje no tiene texto.',
    zh: '消息没有内容。',
    fr: 'Le message ne contient aucun texte.',
    de: 'Die Nachricht enthält keinen Text.',
  },
  bad_request: {
    en: 'The request could not be processed; please reload the chat and try again.',
    es: 'No se ha podido procesar la solicitud; recargue el chat e inténtelo de nuevo, por favor.',
    zh: '无法处理该请求，请刷新聊天窗口后重试。',
    fr: 'La demande n\'a pas pu être traitée\u00a0; veuillez recharger le chat et réessayer.',
    de: 'Die Anfrage konnte nicht verarbeitet werden; bitte laden Sie den Chat neu und versuchen Sie es erneut.',
  },
  in_progress: {
    en: 'This message is already being answered; the answer will follow in a moment.',
    es: 'Ya se está respondiendo a este mensaje; la respuesta llegará en un momento.',
    zh: '正在回复此消息，请稍候。',
    fr: 'Ce message est déjà en cours de traitement\u00a0; la réponse arrive dans un instant.',
    de: 'Diese Nachricht wird bereits beantwortet; die Antwort folgt in Kürze.',
  },
  rate_limited: {
    en: 'At most {max} messages a minute; your message is saved, please wait a moment.',
    es: 'Se permiten como máximo {max} mensajes por minuto; su mensaje está guardado, espere un momento, por favor.',
    zh: '每分钟最多可发送 {max} 条消息；您的消息已保存，请稍候。',
    fr: 'Au maximum {max} messages par minute\u00a0; votre message est enregistré, veuillez patienter un instant.',
    de: 'Höchstens {max} Nachrichten pro Minute; Ihre Nachricht ist gespeichert, bitte warten Sie einen Moment.',
  },
  rate_limited_not_sent: {
    en: 'At most {max} messages a minute; this message was not sent, please send it again in a moment.',
    es: 'Se permiten como máximo {max} mensajes por minuto; este mensaje no se ha enviado, vuelva a enviarlo en un momento, por favor.',
    zh: '每分钟最多可发送 {max} 条消息；此消息未发送，请稍后重新发送。',
    fr: 'Au maximum {max} messages par minute\u00a0; ce message n\'a pas été envoyé, veuillez le renvoyer dans un instant.',
    de: 'Höchstens {max} Nachrichten pro Minute; diese Nachricht wurde nicht gesendet, bitte senden Sie sie gleich noch einmal.',
  },
  budget_exhausted: {
    en: 'The assistant\'s daily allowance is used up; please try again tomorrow or ask for a human agent.',
    es: 'Se ha agotado el uso diario del asistente; vuelva a intentarlo mañana o pida hablar con un agente.',
    zh: '助手今天的使用额度已用完，请明天再试，或要求转接人工客服。',
    fr: 'Le quota quotidien de l\'assistant est épuisé\u00a0; veuillez réessayer demain ou demander un conseiller.',
    de: 'Das Tageskontingent des Assistenten ist aufgebraucht; bitte versuchen Sie es morgen erneut oder fragen Sie nach einem Mitarbeiter.',
  },
  guardrail_intervened: {
    en: 'The organization\'s AI use policy stopped this answer.',
    es: 'La política de uso de IA de la organización ha detenido esta respuesta.',
    zh: '根据本组织的 AI 使用政策，此回复已被拦截。',
    fr: 'La politique d\'utilisation de l\'IA de l\'organisation a bloqué cette réponse.',
    de: 'Die KI-Nutzungsrichtlinie der Organisation hat diese Antwort blockiert.',
  },
  deadline_exceeded: {
    en: 'The answer took too long; please ask again.',
    es: 'La respuesta ha tardado demasiado; vuelva a preguntar, por favor.',
    zh: '回复超时，请重新提问。',
    fr: 'La réponse a pris trop de temps\u00a0; veuillez reposer votre question.',
    de: 'Die Antwort hat zu lange gedauert; bitte fragen Sie noch einmal.',
  },
  model_unavailable: {
    en: 'The assistant could not finish this answer; please ask again.',
    es: 'El asistente no ha podido terminar esta respuesta; vuelva a preguntar, por favor.',
    zh: '助手未能完成此回复，请重新提问。',
    fr: 'L\'assistant n\'a pas pu terminer cette réponse\u00a0; veuillez reposer votre question.',
    de: 'Der Assistent konnte diese Antwort nicht abschließen; bitte fragen Sie noch einmal.',
  },
  message_id_conflict: {
    en: 'This message id was already used for another message; each message needs a new id.',
    es: 'Este identificador ya se usó para otro mensaje; cada mensaje necesita un identificador nuevo.',
    zh: '此消息 ID 已被另一条消息使用，每条消息都需要新的 ID。',
    fr: 'Cet identifiant a déjà servi pour un autre message\u00a0; chaque message a besoin d\'un nouvel identifiant.',
    de: 'Diese Nachrichten-ID wurde bereits für eine andere Nachricht verwendet; jede Nachricht braucht eine neue ID.',
  },
  token_expired: {
    en: 'Your sign-in has expired; please sign in again. The connection is closed.',
    es: 'Su sesión ha caducado; inicie sesión de nuevo, por favor. La conexión se ha cerrado.',
    zh: '您的登录已过期，请重新登录。连接已关闭。',
    fr: 'Votre session a expiré\u00a0; veuillez vous reconnecter. La connexion est fermée.',
    de: 'Ihre Anmeldung ist abgelaufen; bitte melden Sie sich erneut an. Die Verbindung wurde getrennt.',
  },
  internal: {
    en: 'Something went wrong on our side; please try again in a moment.',
    es: 'Algo ha fallado por nuestra parte; inténtelo de nuevo en un momento, por favor.',
    zh: '我们这边出了点问题，请稍后再试。',
    fr: 'Un problème est survenu de notre côté\u00a0; veuillez réessayer dans un instant.',
    de: 'Bei uns ist etwas schiefgelaufen; bitte versuchen Sie es gleich noch einmal.',
  },
  forbidden: {
    en: 'This account may not do that here.',
    es: 'Esta cuenta no puede realizar esa acción aquí.',
    zh: '此账户无权在此执行该操作。',
    fr: 'Ce compte n\'est pas autorisé à faire cela ici.',
    de: 'Dieses Konto darf das hier nicht tun.',
  },
  not_handed_off: {
    en: 'This conversation is not waiting for a person.',
    es: 'Esta conversación no está esperando a una persona.',
    zh: '此对话没有在等待人工客服。',
    fr: 'Cette conversation n\'attend pas de conseiller.',
    de: 'Dieses Gespräch wartet nicht auf eine Person.',
  },
  conversation_closed: {
    en: 'This conversation was closed by an agent.',
    es: 'Un agente ha cerrado esta conversación.',
    zh: '此对话已由客服关闭。',
    fr: 'Cette conversation a été close par un conseiller.',
    de: 'Dieses Gespräch wurde von einer Mitarbeiterin oder einem Mitarbeiter geschlossen.',
  },
  not_joined: {
    en: 'Join the conversation before writing in it.',
    es: 'Únase a la conversación antes de escribir en ella.',
    zh: '请先加入对话，再发送消息。',
    fr: 'Rejoignez la conversation avant d\'y écrire.',
    de: 'Treten Sie dem Gespräch bei, bevor Sie darin schreiben.',
  },
  refund_not_pending: {
    en: 'No refund approval is waiting in this conversation (it was decided already or has expired).',
    es: 'No hay ninguna aprobación de reembolso pendiente en esta conversación (ya se decidió o ha caducado).',
    zh: '此对话中没有待审批的退款（已处理或已过期）。',
    fr: 'Aucune approbation de remboursement n\'est en attente dans cette conversation (déjà décidée ou expirée).',
    de: 'In diesem Gespräch wartet keine Erstattungsfreigabe (sie wurde bereits entschieden oder ist abgelaufen).',
  },
  order_not_in_hand_off: {
    en: 'That order is not one of the orders of this hand-off.',
    es: 'Ese pedido no es uno de los pedidos de esta derivación.',
    zh: '该订单不属于此次转人工的订单。',
    fr: 'Cette commande ne fait pas partie des commandes de ce transfert.',
    de: 'Diese Bestellung gehört nicht zu den Bestellungen dieser Übergabe.',
  },
  refund_approved: {
    en: 'Your refund of {amount} for order {orderId} has been approved.',
    es: 'Se ha aprobado su reembolso de {amount} del pedido {orderId}.',
    zh: '您订单 {orderId} 的 {amount} 退款已获批准。',
    fr: 'Votre remboursement de {amount} pour la commande {orderId} a été approuvé.',
    de: 'Ihre Erstattung von {amount} für die Bestellung {orderId} wurde genehmigt.',
  },
  refund_rejected: {
    en: 'Your refund request for order {orderId} was not approved; the agent in this chat can tell you more.',
    es: 'Su solicitud de reembolso del pedido {orderId} no ha sido aprobada; el agente de este chat puede darle más detalles.',
    zh: '您订单 {orderId} 的退款申请未获批准，本聊天中的客服可以为您详细说明。',
    fr: 'Votre demande de remboursement pour la commande {orderId} n\'a pas été approuvée\u00a0; le conseiller de cette conversation peut vous en dire plus.',
    de: 'Ihr Erstattungsantrag für die Bestellung {orderId} wurde nicht genehmigt; die Person in diesem Chat kann Ihnen mehr dazu sagen.',
  },
  refund_expired: {
    en: 'Your refund request could not be approved in time and has expired; please ask again in this chat.',
    es: 'Su solicitud de reembolso no se pudo aprobar a tiempo y ha caducado; vuelva a solicitarlo en este chat, por favor.',
    zh: '您的退款申请未能及时审批，已过期，请在此聊天中重新申请。',
    fr: 'Votre demande de remboursement n\'a pas pu être approuvée à temps et a expiré\u00a0; veuillez la renouveler dans cette conversation.',
    de: 'Ihr Erstattungsantrag konnte nicht rechtzeitig genehmigt werden und ist abgelaufen; bitte stellen Sie ihn in diesem Chat erneut.',
  },
  degraded_answer: {
    en: 'Sorry, the assistant cannot answer right now. Your message is saved; please try again in a few minutes, or write "talk to a human" and a human agent will take over.',
    es: 'Lo sentimos, el asistente no puede responder en este momento. Su mensaje está guardado; vuelva a intentarlo en unos minutos o escriba «hablar con una persona» y le atenderá un agente.',
    zh: '抱歉，助手暂时无法回复。您的消息已保存，请几分钟后再试，或发送“转人工”，由人工客服为您服务。',
    fr: 'Désolé, l\'assistant ne peut pas répondre pour le moment. Votre message est enregistré\u00a0; réessayez dans quelques minutes ou écrivez «\u00a0parler à un conseiller\u00a0» et un conseiller prendra le relais.',
    de: 'Entschuldigung, der Assistent kann gerade nicht antworten. Ihre Nachricht ist gespeichert; versuchen Sie es in ein paar Minuten erneut oder schreiben Sie „mit einem Mitarbeiter sprechen“, dann übernimmt ein Mitarbeiter.',
  },
  escalation_notice: {
    en: 'I am handing you over to a human agent; please stay in this chat, someone will be with you shortly.',
    es: 'Le paso con un agente; no cierre este chat, enseguida le atenderán.',
    zh: '正在为您转接人工客服，请不要关闭聊天窗口，客服马上为您服务。',
    fr: 'Je vous mets en relation avec un conseiller\u00a0; restez dans cette conversation, quelqu\'un va vous répondre sous peu.',
    de: 'Ich verbinde Sie mit einem Mitarbeiter; bitte bleiben Sie im Chat, gleich ist jemand für Sie da.',
  },
  offer_human_agent: {
    en: 'I don\'t have that information. If you would like a human agent, write "talk to a human".',
    es: 'No tengo esa información. Si desea que le atienda un agente, escriba «hablar con una persona».',
    zh: '我没有这方面的信息。如需人工客服，请发送“转人工”。',
    fr: 'Je n\'ai pas cette information. Si vous souhaitez un conseiller, écrivez «\u00a0parler à un conseiller\u00a0».',
    de: 'Diese Information habe ich leider nicht. Wenn Sie einen Mitarbeiter möchten, schreiben Sie „mit einem Mitarbeiter sprechen“.',
  },
  knowledge_unavailable: {
    en: 'I can\'t look that up right now. Please try again in a few minutes, or write "talk to a human" for a human agent.',
    es: 'Ahora mismo no puedo consultar esa información. Vuelva a intentarlo en unos minutos o escriba «hablar con una persona» para que le atienda un agente.',
    zh: '我暂时无法查询这方面的信息。请几分钟后再试，或发送“转人工”联系人工客服。',
    fr: 'Je ne peux pas consulter cette information pour le moment. Veuillez réessayer dans quelques minutes ou écrivez «\u00a0parler à un conseiller\u00a0» pour joindre un conseiller.',
    de: 'Das kann ich gerade nicht nachschlagen. Bitte versuchen Sie es in ein paar Minuten erneut oder schreiben Sie „mit einem Mitarbeiter sprechen“, um einen Mitarbeiter zu erreichen.',
  },
} as const satisfies Record<string, Translations>;

/** A key of `TENANT_MESSAGES`. */
export type TenantMessageKey = keyof typeof TENANT_MESSAGES;

/** The `{name}` parameters of a template. */
type ParametersOf<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | ParametersOf<Rest> : never;

/** The values a message needs: one per `{name}` of its English text (every language has the same ones). */
export type TenantMessageParameters<K extends TenantMessageKey> = Readonly<Record<ParametersOf<typeof TENANT_MESSAGES[K]['en']>, string | number>>;

const PARAMETER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The `{name}` parameters of a text, sorted, each once. */
export function parametersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PARAMETER)].map((m) => m[1]))].sort();
}

/**
 * The text of `key` in `language` (English for a language it does not know at run time), its parameters replaced by
 * `parameters`; throws when one is missing (a programming error: the type asks for each).
 */
export function tenantMessage<K extends TenantMessageKey>(
  key: K,
  language: SupportedLanguage,
  ...parameters: keyof TenantMessageParameters<K> extends never ? [] : [TenantMessageParameters<K>]
): string {
  const translations: Translations = TENANT_MESSAGES[key];
  const template = translations[language] ?? translations[DEFAULT_LANGUAGE];
  const values = (parameters[0] ?? {}) as Readonly<Record<string, string | number>>;
  return template.replace(PARAMETER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`tenant message ${key} needs the parameter ${name}`);
    return String(value);
  });
}
