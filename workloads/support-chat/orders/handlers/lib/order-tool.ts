import type { ToolInputSchema, ToolSpecification } from '@aws-sdk/client-bedrock-runtime';
import type { ConverseTool, ToolCaller, ToolOutcome } from './converse-tool';
import type { OrderCredential } from './order-credential';
import { checkedOrderInput, MAX_ORDERS_LISTED, ORDER_INPUT_SCHEMA, OrderInputError } from './order-input';
import { ordersOf } from './order-view';
import { checkedSub } from '../../../chat/handlers/lib/conversation-keys';

/*
 * `get_order_status`: the calling customer's latest orders, or one of their orders by id, from the company's order API.
 *
 * The API (the company's; `emulators/order-api/` serves it offline):
 * - `GET {baseUrl}/customers/{sub}/orders?limit={n}` → 200 `{"orders": [order, ...]}`, newest first;
 * - `GET {baseUrl}/customers/{sub}/orders/{orderId}` → 200 `{"order": order}`, or 404 when the customer has no such order;
 * - each order `{orderId, customerId, status, placedAt, estimatedDelivery, carrier, trackingNumber, items, total, ...}`;
 * - authenticated by one header (`authHeader`): `Authorization: Bearer <secret>`, or the secret itself in any other header.
 *
 * The customer is the caller's `sub` (the authorizer's), never the model's input; the answer is filtered to that
 * customer's orders again (`ordersOf`), so an order of someone else that the API returns reads as not found. Every failure
 * (timeout, refusal, 5xx, a body that is not the expected JSON, a bad input) is an `error` outcome with a short reason;
 * `run` never rejects.
 */

/** The tool's name, as the model calls it. */
export const ORDER_TOOL_NAME = 'get_order_status';

/** The largest API response read (bytes); a longer one is an error. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

/** Properties of `OrderTool`. */
export interface OrderToolProps {
  /** The order API's base URL (`https://orders.example.com/v1`), without a trailing slash. */
  readonly baseUrl: string;
  /** The header that carries the credential. @default 'authorization' (as `Bearer <secret>`) */
  readonly authHeader?: string;
  /** The credential (Secrets Manager, cached). */
  readonly credential: Pick<OrderCredential, 'get' | 'invalidate'>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Called with the number of orders of other customers (or without an owner) an answer held and the tool dropped. */
  readonly onForeignOrders?: (count: number) => void;
}

/** The tool's specification, as `toolConfig.tools[].toolSpec`. */
export const ORDER_TOOL_SPEC: ToolSpecification = {
  name: ORDER_TOOL_NAME,
  description: 'Look up the signed-in customer\'s orders: one order by its order number (status, delivery estimate, carrier '
    + `and tracking number, items, total), or their latest orders (at most ${MAX_ORDERS_LISTED}) when they do not give a number. `
    + 'Only ever returns this customer\'s own orders; an order number of anyone else is reported as not found.',
  inputSchema: { json: ORDER_INPUT_SCHEMA } as unknown as ToolInputSchema,
};

/** Why a call failed, as the model is told. */
class OrderApiError extends Error {
  constructor(readonly code: 'timeout' | 'unavailable' | 'refused' | 'bad_response', message: string) {
    super(message);
  }
}

/** The order look-up as a Converse tool. */
export class OrderTool implements ConverseTool {
  public readonly spec = ORDER_TOOL_SPEC;
  private readonly baseUrl: string;
  private readonly authHeader: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly props: OrderToolProps) {
    const url = new URL(props.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`the order API's base URL must be http(s), not ${url.protocol}`);
    if (url.search || url.hash) throw new Error('the order API\'s base URL may not carry a query or a fragment');
    this.baseUrl = props.baseUrl.replace(/\/+$/, '');
    this.authHeader = (props.authHeader ?? 'authorization').toLowerCase();
    if (!/^[a-z0-9-]{1,64}$/.test(this.authHeader)) throw new Error(`authHeader must be an HTTP header name, not ${JSON.stringify(props.authHeader)}`);
    this.fetch = props.fetch ?? globalThis.fetch;
  }

  public async run(input: unknown, caller: ToolCaller): Promise<ToolOutcome> {
    let request: ReturnType<typeof checkedOrderInput>;
    try {
      checkedSub(caller.sub);
      request = checkedOrderInput(input);
    } catch (error) {
      const reason = error instanceof OrderInputError ? error.message : 'the caller is not a customer';
      return { status: 'error', json: { error: 'bad_input', message: reason } };
    }
    const signal = AbortSignal.any([AbortSignal.timeout(Math.max(1, caller.timeoutMs)), ...(caller.signal ? [caller.signal] : [])]);
    try {
      const customer = `${this.baseUrl}/customers/${encodeURIComponent(caller.sub)}/orders`;
      if (request.orderId !== undefined) {
        const body = await this.get(`${customer}/${encodeURIComponent(request.orderId)}`, signal, true);
        if (body !== undefined && (body.order === null || typeof body.order !== 'object')) throw new OrderApiError('bad_response', 'the order service answered without an order');
        const { orders, foreign } = ordersOf(caller.sub, body === undefined ? [] : [body.order]);
        this.report(foreign);
        const order = orders.find((o) => o.orderId.toUpperCase() === request.orderId);
        if (!order) return { status: 'success', json: { found: false, orderId: request.orderId, message: 'This customer has no order with this number.' } };
        return { status: 'success', json: { found: true, order } };
      }
      const body = await this.get(`${customer}?limit=${request.limit}`, signal, false);
      if (!Array.isArray(body?.orders)) throw new OrderApiError('bad_response', 'the order service answered without an order list');
      const { orders, foreign } = ordersOf(caller.sub, body.orders as unknown[]);
      this.report(foreign);
      return { status: 'success', json: { orders: orders.slice(0, request.limit) } };
    } catch (error) {
      if (error instanceof OrderApiError) return { status: 'error', json: { error: error.code, message: error.message } };
      if (signal.aborted) return { status: 'error', json: { error: 'timeout', message: 'the order service did not answer in time' } };
      return { status: 'error', json: { error: 'unavailable', message: 'the order service could not be reached' } };
    }
  }

  private report(foreign: number): void {
    if (foreign > 0) this.props.onForeignOrders?.(foreign);
  }

  /** GETs a JSON object; `undefined` for a 404 when `notFoundIsEmpty`. One retry with a fresh credential after a 401/403. */
  private async get(url: string, signal: AbortSignal, notFoundIsEmpty: boolean): Promise<Record<string, unknown> | undefined> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.props.credential.get(signal);
      const value = this.authHeader === 'authorization' ? `Bearer ${token}` : token;
      const response = await this.fetch(url, { method: 'GET', headers: { [this.authHeader]: value, accept: 'application/json' }, signal, redirect: 'error' });
      if ((response.status === 401 || response.status === 403) && attempt === 0) {
        await response.body?.cancel();
        this.props.credential.invalidate();
        continue;
      }
      if (response.status === 404 && notFoundIsEmpty) {
        await response.body?.cancel();
        return undefined;
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        throw new OrderApiError('refused', 'the order service refused the assistant\'s credential');
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new OrderApiError('unavailable', `the order service answered ${response.status}`);
      }
      return parseObject(await readCapped(response, MAX_RESPONSE_BYTES));
    }
  }
}

/** The body as text, refusing one over `max` bytes (counted as it arrives, not trusted from `content-length`). */
async function readCapped(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new OrderApiError('bad_response', 'the order service answered with too much data');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OrderApiError('bad_response', 'the order service answered with something that is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OrderApiError('bad_response', 'the order service answered with something that is not a JSON object');
  return parsed as Record<string, unknown>;
}
