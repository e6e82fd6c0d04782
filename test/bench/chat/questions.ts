/** The questions the sessions ask in turn: the local classifier sends about half to the fast profile and half to the capable one. */
export const QUESTIONS: readonly string[] = [
  'Where is my order 40412?',
  'My parcel arrived damaged and I want a refund.',
  'What payment methods do you accept?',
  'Can I return shoes I have worn once?',
  'Hallo, wo ist meine Bestellung 40412?',
  'Le chargeur ne marche pas avec mon téléphone.',
  'Vorrei sapere se il mio ordine è partito.',
  '¿Cuánto tarda el envío a Madrid?',
];
