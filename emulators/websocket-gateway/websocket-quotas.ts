/*
 * API Gateway's published quotas for a WebSocket API, the defaults of the local gateway: "Quotas for configuring and
 * running a WebSocket in API Gateway"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * None of these is adjustable on AWS. KB in that table is 1024 bytes here (the `ws` library's and the tenant's reading).
 */

/**
 * "Message payload size: 128 KB, can be increased: No"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * A larger inbound message closes the connection with 1009; a larger `PostToConnection` payload is refused with 413.
 */
export const MESSAGE_PAYLOAD_LIMIT_BYTES = 128 * 1024;

/**
 * "WebSocket frame size: 32 KB, can be increased: No"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * A larger inbound frame closes the connection with 1009; `@connections` messages are sent in frames of at most this.
 */
export const FRAME_SIZE_LIMIT_BYTES = 32 * 1024;

/**
 * "Idle Connection Timeout: 10 minutes, can be increased: No"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * "Connection duration for WebSocket API: 2 hours, can be increased: No"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */
export const MAX_CONNECTION_DURATION_MS = 2 * 60 * 60 * 1000;

/**
 * "Integration timeout: 50 milliseconds - 29 seconds for all integration types, including Lambda, Lambda proxy, ...,
 * can be increased: No": the upper end
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * "AWS Lambda authorizer result size: 8 KB, can be increased: No"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */
export const AUTHORIZER_RESULT_LIMIT_BYTES = 8 * 1024;
