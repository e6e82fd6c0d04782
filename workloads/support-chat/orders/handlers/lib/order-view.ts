/*
 * What of the company's order API reaches the model: only orders whose `customerId` is the calling customer's (checked
 * again here: an API that answers with another customer's order, a bug or a mixed-up cache, must not put it in front of
 * the model), and of each only the fields an answer about an order needs. Addresses, payment details, e-mail and the
 * customer id never leave the tool.
 */

/** An order as the model sees it. */
export interface OrderView {
  readonly orderId: string;
  readonly status: string;
  readonly placedAt?: string;
  readonly estimatedDelivery?: string;
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly items?: readonly { readonly name: string; readonly quantity: number }[];
  readonly total?: { readonly amount: number; readonly currency: string };
}

/** The most items of one order the model is shown. */
export const MAX_ITEMS_SHOWN = 10;
/** The longest text field kept (longer is cut). */
const MAX_FIELD_CHARACTERS = 120;

/** What filtering one API answer kept and dropped. */
export interface FilteredOrders {
  readonly orders: OrderView[];
  /** Orders dropped because they belong to someone else or lack an owner or id (an API fault worth an alarm). */
  readonly foreign: number;
}

/**
 * Keeps the orders of `sub` (an exact `customerId` match), each trimmed to `OrderView`; anything that is not an object
 * with a string `orderId` and the caller's `customerId` is dropped and counted.
 */
export function ordersOf(sub: string, raw: readonly unknown[]): FilteredOrders {
  const orders: OrderView[] = [];
  let foreign = 0;
  for (const entry of raw) {
    const view = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? viewOf(sub, entry as Record<string, unknown>) : undefined;
    if (view) orders.push(view);
    else foreign++;
  }
  return { orders, foreign };
}

function viewOf(sub: string, order: Record<string, unknown>): OrderView | undefined {
  if (order.customerId !== sub || typeof order.orderId !== 'string' || order.orderId.length === 0) return undefined;
  const items = Array.isArray(order.items)
    ? order.items.flatMap((item: unknown) => {
      const i = item as Record<string, unknown> | null;
      return i && typeof i.name === 'string' && typeof i.quantity === 'number' ? [{ name: short(i.name), quantity: i.quantity }] : [];
    }).slice(0, MAX_ITEMS_SHOWN)
    : undefined;
  const total = order.total as Record<string, unknown> | undefined;
  return {
    orderId: short(order.orderId),
    status: typeof order.status === 'string' ? short(order.status) : 'unknown',
    ...text('placedAt', order.placedAt),
    ...text('estimatedDelivery', order.estimatedDelivery),
    ...text('carrier', order.carrier),
    ...text('trackingNumber', order.trackingNumber),
    ...(items ? { items } : {}),
    ...(total && typeof total.amount === 'number' && typeof total.currency === 'string'
      ? { total: { amount: total.amount, currency: short(total.currency) } }
      : {}),
  };
}

function text<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value.length > 0 ? { [key]: short(value) } as Record<K, string> : {};
}

function short(value: string): string {
  return value.length > MAX_FIELD_CHARACTERS ? value.slice(0, MAX_FIELD_CHARACTERS) : value;
}
