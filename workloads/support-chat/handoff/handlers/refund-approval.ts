import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RefundWorkflowEnvironment } from '../handoff-wiring';
import { RefundApprovals } from './lib/refund-approvals';
import { type NotifyStep, type RequestStep, runRefundStep } from './lib/refund-workflow-steps';
import { ConnectionIndex } from '../../chat/handlers/lib/connection-index';

/**
 * The refund workflow's function (docs/adr/0033-support-chat-refund-approval-by-callback.md): Step Functions invokes it
 * for the waiting task (`request`: the approval stored for the agents with its task token) and for the outcome
 * (`notify`: the customer told over the WebSocket). Outside the VPC, as the relay: only there is `@connections` reachable.
 */
const env = process.env as Partial<RefundWorkflowEnvironment>;
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const connections = new ApiGatewayManagementApiClient({ endpoint: env.CONNECTIONS_ENDPOINT });

export async function handler(event: RequestStep | NotifyStep): Promise<unknown> {
  if (!env.TABLE_NAME || !env.CONNECTIONS_ENDPOINT) throw new Error('the refund workflow function needs TABLE_NAME and CONNECTIONS_ENDPOINT');
  return runRefundStep(event, {
    approvals: new RefundApprovals({ tableName: env.TABLE_NAME, client: documents }),
    index: new ConnectionIndex({ tableName: env.TABLE_NAME, client: documents }),
    post: async (connectionId, frame) => {
      await connections.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(frame) }));
    },
  });
}
