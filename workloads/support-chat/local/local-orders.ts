import { lastUserText } from '../../../emulators/bedrock-runtime/bedrock-answer';
import { type BedrockScript, toolResultsOf } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import type { BedrockRequestRecord } from '../../../emulators/bedrock-runtime/bedrock-request';
import { ORDER_TOOL_NAME } from '../orders/handlers/lib/order-tool';

/**
 * The emulated answer model's use of the order tool in the local harness: an answer request that offers
 * `get_order_status` (its `toolConfig`) and asks about an order gets a `toolUse` (the order number of the message when it
 * has one, else the latest orders); the request that carries the tool's result gets a text answer made from that result.
 * A stand-in for a model's choice, so a local chat shows the tool at work ("where is my order ORD-10002?"); every other
 * request goes to `next`.
 */
const ASKS_ABOUT_ORDERS = /\b(order|orders|delivery|parcel|package|tracking|shipped|bestellung|commande|pedido)\b|\bORD-\d+/i;
const ORDER_NUMBER = /\bORD-\d{3,12}\b/i;

/** Whether the request offers the order tool. */
function offersOrderTool(request: BedrockRequestRecord): boolean {
  const tools = (request.body.toolConfig as { tools?: { toolSpec?: { name?: string } }[] } | undefined)?.tools ?? [];
  return tools.some((t) => t.toolSpec?.name === ORDER_TOOL_NAME);
}

/** A short answer from the tool's JSON result, as a model would phrase it. */
export function answerFromOrders(result: unknown): string {
  type Json = { found?: boolean; orderId?: string; order?: Record<string, unknown>; orders?: Record<string, unknown>[]; error?: string };
  const json = (result ?? {}) as Json;
  if (json.error) return 'Sorry, I could not look up your orders just now. Please try again in a moment.';
  if (json.found === false) return `I could not find an order ${json.orderId} on your account. Please check the number.`;
  const orders = json.order ? [json.order] : json.orders ?? [];
  if (orders.length === 0) return 'I could not find any orders on your account.';
  return orders.map((o) => `Order ${o.orderId} is ${o.status}${o.estimatedDelivery ? `, expected on ${o.estimatedDelivery}` : ''}`
    + `${o.carrier ? ` (${o.carrier} ${o.trackingNumber ?? ''})`.replace(' )', ')') : ''}.`).join(' ');
}

/** An emulator script for order questions (see above); install it with `emulator.script(withLocalClassifier(withLocalOrders()))`. */
export function withLocalOrders(next?: BedrockScript): BedrockScript {
  return (request) => {
    if (request.operation !== 'ConverseStream' || !offersOrderTool(request)) return next?.(request);
    const results = toolResultsOf(request);
    if (results.length > 0) return { answer: results.map((r) => answerFromOrders(r.json[0])).join(' ') };
    const question = lastUserText(request);
    if (!ASKS_ABOUT_ORDERS.test(question)) return next?.(request);
    const orderId = ORDER_NUMBER.exec(question)?.[0];
    return { toolUse: { text: 'Let me check your orders.', calls: [{ name: ORDER_TOOL_NAME, input: orderId ? { orderId } : { limit: 3 } }] } };
  };
}
