/*
 * The order tool's input: what the model may ask for, as the JSON Schema it is shown (`toolSpec.inputSchema.json`) and the
 * same rules checked again at run time, since a model's `toolUse.input` is whatever it generated (the schema guides it,
 * nothing enforces it). The customer is never part of the input: the tool takes the caller's `sub` (`ToolCaller`).
 */

/** Order ids as the company issues them (`ORD-10001`): 3 to 32 of letters, digits and `-`, a letter or digit first. */
export const ORDER_ID = /^[A-Za-z0-9][A-Za-z0-9-]{2,31}$/;

/** The most recent orders one call lists. */
export const MAX_ORDERS_LISTED = 5;

/** The input the model sends: one order by id, or the customer's latest orders. */
export interface OrderToolInput {
  /** One order, by the id the customer quoted (upper-cased). */
  readonly orderId?: string;
  /** How many of the latest orders, when no `orderId`. @default 3 */
  readonly limit?: number;
}

/** The default of `limit`. */
export const DEFAULT_ORDERS_LISTED = 3;

/** The JSON Schema of the input, as Converse takes it (`inputSchema.json`). */
export const ORDER_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    orderId: {
      type: 'string',
      pattern: ORDER_ID.source,
      description: 'The order number the customer gave, e.g. ORD-10001. Leave it out to list the customer\'s latest orders.',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_ORDERS_LISTED,
      description: `How many of the customer's latest orders to list (1 to ${MAX_ORDERS_LISTED}), when no orderId is given.`,
    },
  },
  additionalProperties: false,
} as const;

/** Why an input was refused: a short reason the model may pass on. */
export class OrderInputError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'OrderInputError';
  }
}

/**
 * The model's input checked against the schema's rules: an object with at most `orderId` (the id shape) and `limit`
 * (a whole number from 1 to `MAX_ORDERS_LISTED`), never both; nothing else. Throws `OrderInputError`.
 */
export function checkedOrderInput(input: unknown): Required<Pick<OrderToolInput, 'limit'>> & OrderToolInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new OrderInputError('the input must be a JSON object');
  const fields = Object.keys(input);
  const unknown = fields.filter((f) => f !== 'orderId' && f !== 'limit');
  if (unknown.length > 0) throw new OrderInputError(`unknown input field ${JSON.stringify(unknown[0].slice(0, 40))}`);
  const { orderId, limit } = input as Record<string, unknown>;
  if (orderId !== undefined && (typeof orderId !== 'string' || !ORDER_ID.test(orderId))) {
    throw new OrderInputError('orderId must be 3 to 32 letters, digits or hyphens, e.g. ORD-10001');
  }
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_ORDERS_LISTED)) {
    throw new OrderInputError(`limit must be a whole number from 1 to ${MAX_ORDERS_LISTED}`);
  }
  if (orderId !== undefined && limit !== undefined) throw new OrderInputError('give either orderId or limit, not both');
  return orderId !== undefined ? { orderId: orderId.toUpperCase(), limit: 1 } : { limit: limit ?? DEFAULT_ORDERS_LISTED };
}
