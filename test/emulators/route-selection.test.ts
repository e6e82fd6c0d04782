import { selectRoute } from '../../emulators/websocket-gateway/route-selection';

// The local gateway's route selection (emulator only), after "Create routes for WebSocket APIs in API Gateway"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html).

const ROUTES = new Set(['$connect', '$disconnect', '$default', 'send', 'chat:send', '42']);
const WITHOUT_DEFAULT = new Set(['send']);

describe('selectRoute (emulator only)', () => {
  test.each<[string, string, string | undefined, string | undefined]>([
    ['the key of a matching action', '$request.body.action', '{"action":"send"}', 'send'],
    ['$default for an action without a route', '$request.body.action', '{"action":"other"}', '$default'],
    ['$default when the path is missing (it resolves to "")', '$request.body.action', '{"text":"hi"}', '$default'],
    ['$default for a message that is not JSON', '$request.body.action', 'hello', '$default'],
    ['$default for a binary message', '$request.body.action', undefined, '$default'],
    ['a nested path', '$request.body.meta.kind', '{"meta":{"kind":"send"}}', 'send'],
    ['static text around ${request.body.<path>}', 'chat:${request.body.verb}', '{"verb":"send"}', 'chat:send'],
    ['a number value, as its JSON', '$request.body.action', '{"action":42}', '42'],
    ['never a $ route by its key', '$request.body.action', '{"action":"$disconnect"}', '$default'],
    ['never an inherited property of an object', '$request.body.action', '{"action":"constructor"}', '$default'],
  ])('%s', (_, expression, text, expected) => {
    expect(selectRoute(expression, ROUTES, text)).toBe(expected);
  });

  test('without $default an unmatched message has no route (the gateway answers Forbidden)', () => {
    expect(selectRoute('$request.body.action', WITHOUT_DEFAULT, '{"action":"send"}')).toBe('send');
    expect(selectRoute('$request.body.action', WITHOUT_DEFAULT, '{"action":"other"}')).toBeUndefined();
    expect(selectRoute('$request.body.action', WITHOUT_DEFAULT, 'not json')).toBeUndefined();
  });
});
