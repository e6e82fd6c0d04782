/** Name prefix of the tenant's functions and roles (not `genai-governance-`: those are the platform's, ORG-TAMPER-BASELINE). */
export const TENANT_PREFIX = 'support-chat';

/**
 * The name of the widget's web ACL in the tenant's account (unique per account for scope `CLOUDFRONT`): the edge stack
 * creates it in us-east-1, and the tenant stack's lookup finds it by this name (docs/adr/0031-support-chat-widget-edge.md).
 */
export const WIDGET_WEB_ACL_NAME = `${TENANT_PREFIX}-widget`;
