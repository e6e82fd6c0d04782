/**
 * Route selection ("Create routes for WebSocket APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html): the expression
 * (`$request.body.<path>`, or `${request.body.<path>}` with static text) is evaluated against the JSON message, a path not
 * found resolves to ""; the route whose key matches exactly is chosen, else `$default`; a non-JSON (or binary, `text`
 * undefined) message goes to `$default`. Undefined when neither matches: the gateway answers `Forbidden`.
 */
export function selectRoute(expression: string, routeKeys: ReadonlySet<string>, text: string | undefined): string | undefined {
  let key: string | undefined;
  if (text !== undefined) {
    try {
      const body: unknown = JSON.parse(text);
      key = expression.replace(/\$\{request\.body\.([^}]+)\}|\$request\.body\.([A-Za-z0-9_.]+)/g, (_, wrapped?: string, bare?: string) => {
        const value = String(wrapped ?? bare).split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], body);
        if (value === undefined || value === null) return '';
        return typeof value === 'string' ? value : JSON.stringify(value);
      });
    } catch {
      key = undefined;
    }
  }
  if (key && !key.startsWith('$') && routeKeys.has(key)) return key;
  return routeKeys.has('$default') ? '$default' : undefined;
}
