import { ArnFormat, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation, type CfnWebACLProps } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** WAF's required prefix of a logging destination's name (log group, bucket or Firehose stream). */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';
/** The AWS managed rule groups of the web ACL, in priority order after the rate limit. */
export const CHAT_WAF_MANAGED_RULE_GROUPS = ['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesCommonRuleSet'] as const;

/**
 * The tenant's web ACL rules, whatever the scope: a rate-based rule per IP (`limit` requests in five minutes, blocked
 * above) first, then `CHAT_WAF_MANAGED_RULE_GROUPS` with their own actions, each with CloudWatch metrics and sampled
 * requests named `<name>-<rule>`; and the web ACL's own visibility.
 */
export function rateLimitAndManagedRules(name: string, limit: number): Pick<CfnWebACLProps, 'rules' | 'visibilityConfig'> {
  const visibility = (metric: string): CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName: `${name}-${metric}`,
  });
  return {
    visibilityConfig: visibility('web-acl'),
    rules: [
      {
        name: 'RateLimitPerIp',
        priority: 0,
        statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit, evaluationWindowSec: 300 } },
        action: { block: {} },
        visibilityConfig: visibility('rate-limit-per-ip'),
      },
      ...CHAT_WAF_MANAGED_RULE_GROUPS.map((group, i): CfnWebACL.RuleProperty => ({
        name: group,
        priority: i + 1,
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
        // The group's own actions (block) apply; `count` here would only observe.
        overrideAction: { none: {} },
        visibilityConfig: visibility(group),
      })),
    ],
  };
}
/** WAF's bounds of a rate-based rule's limit (requests per evaluation window). */
const MIN_RATE_LIMIT = 10;
const MAX_RATE_LIMIT = 2_000_000_000;

/** Properties of `ChatWebAcl`. */
export interface ChatWebAclProps {
  /**
   * ARN of the regional resource the web ACL protects: the chat's Cognito user pool (`userPool.userPoolArn`). It must be
   * in the stack's Region; a resource has at most one web ACL.
   */
  readonly resourceArn: string;
  /**
   * The key of the log group WAF logs to. Its key policy must let CloudWatch Logs (`logs.<region>.amazonaws.com`) use
   * it, as the support-chat key's does.
   */
  readonly logKey: IKey;
  /** Retention of the WAF log group. */
  readonly logRetention: RetentionDays;
  /**
   * Requests one client IP address may send in any five minutes before the rest are blocked (WAF allows 10 to
   * 2,000,000,000; the rule counts all the protected resource's requests, WAF checks the rate every few seconds and
   * blocks until the IP's rate falls under the limit again).
   *
   * 300 (one request a second sustained) fits a sign-in endpoint: a Cognito SRP sign-in is two requests
   * (`InitiateAuth`, `RespondToAuthChallenge`; three with TOTP), sign-up and confirmation a few more, and a signed-in
   * widget refreshes its one-hour tokens once an hour. So one IP can still sign in about 100 customers in five minutes (an
   * office or a carrier-grade NAT shared by many shoppers), while password spraying or credential stuffing from one address
   * is held to about 100 tries in five minutes, before Cognito's own per-account lockout and the Plus plan's threat
   * protection apply.
   *
   * @default 300
   */
  readonly requestsPerFiveMinutes?: number;
  /**
   * Name of the web ACL (letters, digits, `-`, `_`), also its metric-name prefix and, after `aws-waf-logs-`, its log
   * group's name. Web ACL names are unique per account and Region.
   *
   * @default - a name unique in the app, derived from the construct path
   */
  readonly name?: string;
  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * An AWS WAF web ACL (scope `REGIONAL`) in front of the support chat's Cognito user pool: per-IP rate limiting (blocking
 * above `requestsPerFiveMinutes`), then the AWS managed rule groups `AWSManagedRulesKnownBadInputsRuleSet` (includes the
 * Log4j JNDI lookup rules, checkov CKV_AWS_192) and `AWSManagedRulesCommonRuleSet`; everything else is allowed. Every
 * rule publishes CloudWatch metrics and sampled requests. Full request logs go to the KMS-encrypted log group
 * `aws-waf-logs-<name>` with the `authorization` header and the query string redacted; on the first logging setup WAF
 * adds the log-delivery statement to the account's CloudWatch Logs resource policy (`AWSWAF-LOGS`) itself.
 *
 * Why the user pool and not the WebSocket API: WAF protects a Cognito user pool (its sign-in, sign-up and token API and
 * managed login), but of API Gateway only REST API stages, so a WebSocket API cannot have a web ACL; the `$connect`
 * handshake stays protected by the stage throttle and the Lambda authorizer.
 * - https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html (resources WAF protects)
 * - https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html (regional: API Gateway
 *   REST API, ALB, AppSync, Cognito user pool, App Runner, Verified Access, Amplify)
 * - https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html (REST APIs)
 * - https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-waf.html (one web ACL per user pool; not in
 *   Europe (Spain) and Asia Pacific (Hyderabad); no `AWSManagedRulesATPRuleSet`; PII such as user names and passwords
 *   is not passed to WAF; blocked requests do not count against Cognito's request-rate quotas). That page names no
 *   feature plan as a requirement; the chat's pool is on Plus anyway.
 *
 * Logging and redaction:
 * - https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html (the destination's name must start
 *   with `aws-waf-logs-`; WAF adds the CloudWatch Logs resource policy)
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-wafv2-loggingconfiguration-fieldtomatch.html
 *   (`RedactedFields` may name `SingleHeader`, `QueryString`, `UriPath` or `Method`: a single query argument such as
 *   `token` cannot be named, so the whole query string is redacted)
 * - https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
 *   (limit at least 10; evaluation window 300 s by default)
 */
export class ChatWebAcl extends Construct {
  public readonly webAcl: CfnWebACL;
  public readonly logGroup: LogGroup;
  public readonly loggingConfiguration: CfnLoggingConfiguration;
  public readonly association: CfnWebACLAssociation;
  /** The requests one IP may send in five minutes before it is blocked. */
  public readonly requestsPerFiveMinutes: number;

  constructor(scope: Construct, id: string, props: ChatWebAclProps) {
    super(scope, id);
    const limit = props.requestsPerFiveMinutes ?? 300;
    if (!Token.isUnresolved(limit) && (!Number.isInteger(limit) || limit < MIN_RATE_LIMIT || limit > MAX_RATE_LIMIT)) {
      throw new Error(`ChatWebAcl: requestsPerFiveMinutes must be an integer from ${MIN_RATE_LIMIT} to ${MAX_RATE_LIMIT}; found ${limit}`);
    }
    this.requestsPerFiveMinutes = limit;
    const name = props.name
      ?? Names.uniqueResourceName(this, { maxLength: 128 - WAF_LOG_GROUP_PREFIX.length, separator: '-', allowedSpecialCharacters: '-_' });
    if (!Token.isUnresolved(name) && !/^[\w-]{1,115}$/.test(name)) {
      throw new Error(`ChatWebAcl: name must be 1 to 115 letters, digits, - or _; found "${name}"`);
    }
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'REGIONAL',
      description: 'Support chat: rate limit per IP and AWS managed rules in front of the Cognito user pool',
      defaultAction: { allow: {} },
      ...rateLimitAndManagedRules(name, limit),
    });

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `${WAF_LOG_GROUP_PREFIX}${name}`,
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.loggingConfiguration = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The log group's ARN without the `:*` suffix of its `Arn` attribute: WAF refuses a destination ARN that has it.
      logDestinationConfigs: [Stack.of(this).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: this.logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { queryString: {} },
      ],
    });

    this.association = new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  /** The web ACL's ARN. */
  public get webAclArn(): string {
    return this.webAcl.attrArn;
  }
}
