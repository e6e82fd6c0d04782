import { z } from 'zod';

/**
 * The support-chat widget's edge in the config (`workloads.supportChat.widget`, docs/adr/0031-support-chat-widget-edge.md):
 * the formats its constructs (`WidgetHosting`, `WidgetWebAcl`, `widgetContentSecurityPolicy`) check, declared once here
 * so the config refuses what the constructs would.
 */

/** The only Region CloudFront reads ACM certificates from, and where AWS WAF creates web ACLs of scope `CLOUDFRONT`. */
export const CLOUDFRONT_REGION = 'us-east-1';

/** The edge stack's name (its construct id in the estate table): ORG-REGION-1 lets its deployers act on it alone in us-east-1. */
export const SUPPORT_CHAT_EDGE_STACK = 'SupportChatEdge';

/**
 * An origin a shop page embeds the widget from: `https://` and a host name (lowercase labels, optionally one leading
 * `*.` label wildcard as CSP source expressions allow), optionally a port; no path, no query.
 */
export const EMBEDDING_ORIGIN = /^https:\/\/(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/;

/** A host name the widget is served at: lowercase labels of letters, digits and inner hyphens, at least two, no trailing dot. */
export const WIDGET_DOMAIN_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** An ACM certificate ARN in any Region: `arn:<partition>:acm:<region>:<account>:certificate/<id>`. */
const ACM_CERTIFICATE_ARN = /^arn:aws[\w-]*:acm:([a-z]{2}(-[a-z]+)+-\d):\d{12}:certificate\/[\w-]+$/;

/** AWS WAF's bounds of a rate-based rule's limit (requests per five-minute evaluation window). */
export const WAF_RATE_LIMIT_BOUNDS = { min: 10, max: 2_000_000_000 } as const;

/**
 * Requests one client IP may send to the widget's distribution in five minutes when the config does not say: the
 * chat's user-pool web ACL's limit (a page view loads the script, mostly from the browser's cache, and opens one
 * WebSocket).
 */
export const DEFAULT_WIDGET_REQUESTS_PER_FIVE_MINUTES = 300;

/** `workloads.supportChat.widget`: where the widget is served and who may embed it. */
export const WidgetEdgeSchema = z.strictObject({
  domainName: z.string().regex(WIDGET_DOMAIN_NAME, 'a lowercase host name such as "chat.example.com" (no scheme, port, path or trailing dot)')
    .describe('the host name the widget and its WebSocket are served at (a CNAME to the CloudFront distribution, in the company\'s DNS)'),
  certificateArn: z.string().superRefine((arn, ctx) => {
    const match = ACM_CERTIFICATE_ARN.exec(arn);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `an ACM certificate ARN in ${CLOUDFRONT_REGION}: "arn:aws:acm:${CLOUDFRONT_REGION}:<12-digit account>:certificate/<id>"` });
    } else if (match[1] !== CLOUDFRONT_REGION) {
      ctx.addIssue({ code: 'custom', message: `an ACM certificate in ${CLOUDFRONT_REGION}, where CloudFront reads certificates (this one is in ${match[1]}: request or import it in ${CLOUDFRONT_REGION})` });
    }
  }).describe(`the ACM certificate of domainName, in ${CLOUDFRONT_REGION} (CloudFront reads certificates only there); it must exist before the first deployment`),
  embeddingOrigins: z.array(z.string().regex(EMBEDDING_ORIGIN, 'an origin "https://<host>[:<port>]" (lowercase; "*." allowed as the first label; no path)'))
    .min(1).refine((o) => new Set(o).size === o.length, 'each origin once')
    .describe('the shop origins whose pages embed the widget: CORS lets them load the script, CSP frame-ancestors lets only them frame it'),
  requestsPerFiveMinutes: z.number().int().min(WAF_RATE_LIMIT_BOUNDS.min).max(WAF_RATE_LIMIT_BOUNDS.max)
    .default(DEFAULT_WIDGET_REQUESTS_PER_FIVE_MINUTES)
    .describe('requests one client IP may send to the distribution in five minutes before AWS WAF blocks the rest (script loads and WebSocket handshakes)'),
});

export type WidgetEdgeConfig = z.output<typeof WidgetEdgeSchema>;
