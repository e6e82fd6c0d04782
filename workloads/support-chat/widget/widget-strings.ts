import type { WidgetLanguage } from './widget-protocol';

/** The widget's own words, one entry per key in each of the five languages (`{name}` and `{score}` are filled in). */
export interface WidgetStrings {
  readonly title: string;
  readonly languageLabel: string;
  readonly conversationLabel: string;
  readonly inputLabel: string;
  readonly inputPlaceholder: string;
  readonly send: string;
  readonly you: string;
  readonly assistant: string;
  readonly agent: string;
  readonly answeringAssistant: string;
  readonly answeringAgent: string;
  readonly escalated: string;
  readonly agentLeft: string;
  readonly connecting: string;
  readonly online: string;
  readonly reconnecting: string;
  readonly offline: string;
  readonly signedOut: string;
  readonly sources: string;
  readonly answerAnnounced: string;
  readonly endChat: string;
  readonly rateLegend: string;
  readonly rateScore: string;
  readonly rateComment: string;
  readonly rateSubmit: string;
  readonly rateThanks: string;
  readonly rateSaved: string;
  readonly rateNotSaved: string;
  readonly gatewayError: string;
}

/** Every string in every language; a test checks that each has the same keys and placeholders. */
export const WIDGET_STRINGS: Readonly<Record<WidgetLanguage, WidgetStrings>> = {
  en: {
    title: 'Customer support',
    languageLabel: 'Language',
    conversationLabel: 'Conversation',
    inputLabel: 'Your message',
    inputPlaceholder: 'Type your question and press Enter',
    send: 'Send',
    you: 'You',
    assistant: 'AI assistant',
    agent: '{name} (support agent)',
    answeringAssistant: 'Answering: AI assistant',
    answeringAgent: 'Answering: {name}, a person from our team',
    escalated: 'Passed to a person from our team: they will answer here',
    agentLeft: '{name} left the conversation',
    connecting: 'Connecting…',
    online: 'Connected',
    reconnecting: 'Connection lost: reconnecting…',
    offline: 'Not connected',
    signedOut: 'Please sign in again',
    sources: 'Sources',
    answerAnnounced: '{name} answered: {text}',
    endChat: 'End chat',
    rateLegend: 'How satisfied are you with this conversation?',
    rateScore: '{score} of 5',
    rateComment: 'Comment (optional)',
    rateSubmit: 'Send rating',
    rateThanks: 'Thank you for your rating.',
    rateSaved: 'Your rating was saved.',
    rateNotSaved: 'Your rating could not be saved.',
    gatewayError: 'Something went wrong on our side. Please try again.',
  },
  es: {
    title: 'Atención al cliente',
    languageLabel: 'Idioma',
    conversationLabel: 'Conversación',
    inputLabel: 'Su mensaje',
    inputPlaceholder: 'Escriba su pregunta y pulse Intro',
    send: 'Enviar',
    you: 'Usted',
    assistant: 'Asistente de IA',
    agent: '{name} (agente de soporte)',
    answeringAssistant: 'Responde: asistente de IA',
    answeringAgent: 'Responde: {name}, una persona de nuestro equipo',
    escalated: 'Transferido a una persona de nuestro equipo: le responderá aquí',
    agentLeft: '{name} ha salido de la conversación',
    connecting: 'Conectando…',
    online: 'Conectado',
    reconnecting: 'Conexión perdida: reconectando…',
    offline: 'Sin conexión',
    signedOut: 'Vuelva a iniciar sesión',
    sources: 'Fuentes',
    answerAnnounced: '{name} ha respondido: {text}',
    endChat: 'Terminar el chat',
    rateLegend: '¿Qué tan satisfecho está con esta conversación?',
    rateScore: '{score} de 5',
    rateComment: 'Comentario (opcional)',
    rateSubmit: 'Enviar valoración',
    rateThanks: 'Gracias por su valoración.',
    rateSaved: 'Su valoración se ha guardado.',
    rateNotSaved: 'No se pudo guardar su valoración.',
    gatewayError: 'Algo ha fallado por nuestra parte. Inténtelo de nuevo.',
  },
  zh: {
    title: '客户支持',
    languageLabel: '语言',
    conversationLabel: '对话',
    inputLabel: '您的消息',
    inputPlaceholder: '输入您的问题并按回车键',
    send: '发送',
    you: '您',
    assistant: 'AI 助手',
    agent: '{name}（客服人员）',
    answeringAssistant: '正在回答：AI 助手',
    answeringAgent: '正在回答：{name}，我们团队的工作人员',
    escalated: '已转交给我们团队的工作人员：他们会在这里回复您',
    agentLeft: '{name} 已离开对话',
    connecting: '正在连接…',
    online: '已连接',
    reconnecting: '连接已断开：正在重新连接…',
    offline: '未连接',
    signedOut: '请重新登录',
    sources: '来源',
    answerAnnounced: '{name} 回答：{text}',
    endChat: '结束对话',
    rateLegend: '您对本次对话的满意度如何？',
    rateScore: '{score} 分（满分 5 分）',
    rateComment: '评论（可选）',
    rateSubmit: '提交评分',
    rateThanks: '感谢您的评分。',
    rateSaved: '您的评分已保存。',
    rateNotSaved: '您的评分未能保存。',
    gatewayError: '我们这边出了点问题，请重试。',
  },
  fr: {
    title: 'Service client',
    languageLabel: 'Langue',
    conversationLabel: 'Conversation',
    inputLabel: 'Votre message',
    inputPlaceholder: 'Tapez votre question puis appuyez sur Entrée',
    send: 'Envoyer',
    you: 'Vous',
    assistant: 'Assistant IA',
    agent: '{name} (conseiller)',
    answeringAssistant: 'Répond : l’assistant IA',
    answeringAgent: 'Répond : {name}, une personne de notre équipe',
    escalated: 'Transmis à une personne de notre équipe : elle vous répondra ici',
    agentLeft: '{name} a quitté la conversation',
    connecting: 'Connexion…',
    online: 'Connecté',
    reconnecting: 'Connexion perdue : reconnexion…',
    offline: 'Non connecté',
    signedOut: 'Veuillez vous reconnecter',
    sources: 'Sources',
    answerAnnounced: '{name} a répondu : {text}',
    endChat: 'Terminer la conversation',
    rateLegend: 'Êtes-vous satisfait de cette conversation ?',
    rateScore: '{score} sur 5',
    rateComment: 'Commentaire (facultatif)',
    rateSubmit: 'Envoyer la note',
    rateThanks: 'Merci pour votre note.',
    rateSaved: 'Votre note a été enregistrée.',
    rateNotSaved: 'Votre note n’a pas pu être enregistrée.',
    gatewayError: 'Un problème est survenu de notre côté. Veuillez réessayer.',
  },
  de: {
    title: 'Kundenservice',
    languageLabel: 'Sprache',
    conversationLabel: 'Unterhaltung',
    inputLabel: 'Ihre Nachricht',
    inputPlaceholder: 'Frage eingeben und Eingabetaste drücken',
    send: 'Senden',
    you: 'Sie',
    assistant: 'KI-Assistent',
    agent: '{name} (Kundenberater)',
    answeringAssistant: 'Es antwortet: der KI-Assistent',
    answeringAgent: 'Es antwortet: {name}, eine Person aus unserem Team',
    escalated: 'An eine Person aus unserem Team übergeben: Sie antwortet Ihnen hier',
    agentLeft: '{name} hat die Unterhaltung verlassen',
    connecting: 'Verbindung wird hergestellt…',
    online: 'Verbunden',
    reconnecting: 'Verbindung verloren: neuer Versuch…',
    offline: 'Nicht verbunden',
    signedOut: 'Bitte melden Sie sich erneut an',
    sources: 'Quellen',
    answerAnnounced: '{name} hat geantwortet: {text}',
    endChat: 'Chat beenden',
    rateLegend: 'Wie zufrieden sind Sie mit dieser Unterhaltung?',
    rateScore: '{score} von 5',
    rateComment: 'Kommentar (optional)',
    rateSubmit: 'Bewertung senden',
    rateThanks: 'Danke für Ihre Bewertung.',
    rateSaved: 'Ihre Bewertung wurde gespeichert.',
    rateNotSaved: 'Ihre Bewertung konnte nicht gespeichert werden.',
    gatewayError: 'Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.',
  },
};

/** The names of the languages in their own language, for the selector. */
export const LANGUAGE_NAMES: Readonly<Record<WidgetLanguage, string>> = {
  en: 'English', es: 'Español', zh: '中文', fr: 'Français', de: 'Deutsch',
};

/** A string with its `{placeholders}` filled in. */
export function format(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}
