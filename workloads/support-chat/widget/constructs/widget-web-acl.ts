import { Names, Stack, Token } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import { CLOUDFRONT_REGION, DEFAULT_WIDGET_REQUESTS_PER_FIVE_MINUTES, WAF_RATE_LIMIT_BOUNDS } from '../../../../config/widget-edge';
import { rateLimitAndManagedRules } from '../../chat/constructs/chat-waf';

/** The only Region where AWS WAF creates web ACLs of scope `CLOUDFRONT`. */
export const CLOUDFRONT_WAF_REGION = CLOUDFRONT_REGION;
/** WAF's bounds of a rate-based rule's limit (requests per evaluation window). */
const { min: MIN_RATE_LIMIT, max: MAX_RATE_LIMIT } = WAF_RATE_LIMIT_BOUNDS;

/** Properties of `WidgetWebAcl`. */
export interface WidgetWebAclProps {
  /**
   * Requests one client IP address may send to the distribution in any five minutes before the rest are blocked (WAF
   * allows 10 to 2,000,000,000). Every request counts: the widget's files (a few per page view, most served from the
   * browser's cache) and each WebSocket handshake (one per connection and per reconnect); messages on an open WebSocket
   * are not HTTP requests and do not reach WAF.
   *
   * @default 300 (`DEFAULT_WIDGET_REQUESTS_PER_FIVE_MINUTES`)
   */
  readonly requestsPerFiveMinutes?: number;
  /**
   * Name of the web ACL (letters, digits, `-`, `_`), also its metric-name prefix. Unique per account for scope
   * `CLOUDFRONT`.
   *
   * @default - a name unique in the app, derived from the construct path
   */
  readonly name?: string;
}

/**
 * An AWS WAF web ACL of scope `CLOUDFRONT` for the support-chat widget's distribution: per-IP rate limiting (blocking
 * above `requestsPerFiveMinutes`), then the AWS managed rule groups the chat's user-pool web ACL runs
 * (`CHAT_WAF_MANAGED_RULE_GROUPS`: `AWSManagedRulesKnownBadInputsRuleSet`, `AWSManagedRulesCommonRuleSet`), with their
 * own actions; everything else is allowed. The web ACL and every rule publish CloudWatch metrics (in us-east-1,
 * dimension `Region` absent for CloudFront) and sampled requests. The distribution names it by ARN (`webAclId`):
 * CloudFront takes the association in its own configuration, not through `AWS::WAFv2::WebACLAssociation`.
 *
 * WAF creates `CLOUDFRONT` web ACLs only in us-east-1, so the construct must be in a stack of that Region
 * (docs/adr/0031-support-chat-widget-edge.md).
 * - https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html (CloudFront: web ACL in
 *   US East (N. Virginia); in CloudFormation the association is the distribution's configuration)
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-wafv2-webacl.html (`Scope`)
 * - https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
 *   (limit at least 10; evaluation window 300 s by default)
 */
export class WidgetWebAcl extends Construct {
  public readonly webAcl: CfnWebACL;
  /** The requests one IP may send in five minutes before it is blocked. */
  public readonly requestsPerFiveMinutes: number;

  constructor(scope: Construct, id: string, props: WidgetWebAclProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (region !== CLOUDFRONT_WAF_REGION) {
      throw new Error(`WidgetWebAcl: a web ACL of scope CLOUDFRONT is created only in ${CLOUDFRONT_WAF_REGION}; the stack ${Stack.of(this).stackName} is in ${Token.isUnresolved(region) ? 'an unknown Region (give the stack env.region)' : region}`);
    }
    const limit = props.requestsPerFiveMinutes ?? DEFAULT_WIDGET_REQUESTS_PER_FIVE_MINUTES;
    if (!Token.isUnresolved(limit) && (!Number.isInteger(limit) || limit < MIN_RATE_LIMIT || limit > MAX_RATE_LIMIT)) {
      throw new Error(`WidgetWebAcl: requestsPerFiveMinutes must be an integer from ${MIN_RATE_LIMIT} to ${MAX_RATE_LIMIT}; found ${limit}`);
    }
    this.requestsPerFiveMinutes = limit;
    const name = props.name ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-', allowedSpecialCharacters: '-_' });
    if (!Token.isUnresolved(name) && !/^[\w-]{1,100}$/.test(name)) {
      throw new Error(`WidgetWebAcl: name must be 1 to 100 letters, digits, - or _; found "${name}"`);
    }
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'CLOUDFRONT',
      description: 'Support chat widget: rate limit per IP and AWS managed rules in front of the CloudFront distribution',
      defaultAction: { allow: {} },
      ...rateLimitAndManagedRules(name, limit),
    });
    // WAF writes a CLOUDFRONT web ACL's full logs only to destinations in us-east-1.
    const noFullLogs = 'A CLOUDFRONT web ACL logs only to us-east-1, outside the tenant\'s governed Regions (ORG-REGION-1); every rule\'s CloudWatch metrics and sampled requests are on, and CloudFront\'s standard logs in the tenant\'s Region record every request';
    acknowledgeFinding(this.webAcl,
      { id: 'NIST.800.53.R5::NIST.800.53.R5-WAFv2LoggingEnabled', reason: noFullLogs },
      { id: 'HIPAA.Security::HIPAA.Security-WAFv2LoggingEnabled', reason: noFullLogs },
    );
  }

  /** The web ACL's ARN, for the distribution's `webAclId`. */
  public get webAclArn(): string {
    return this.webAcl.attrArn;
  }
}
