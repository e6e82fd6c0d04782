import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods, CachePolicy, Distribution, HeadersReferrerPolicy, HttpVersion, OriginProtocolPolicy,
  OriginRequestCookieBehavior, OriginRequestHeaderBehavior, OriginRequestPolicy, OriginRequestQueryStringBehavior,
  OriginSslPolicy, PriceClass, ResponseHeadersPolicy, SecurityPolicyProtocol, ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeDeploymentFindings } from './widget-deployment-findings';
import { widgetContentSecurityPolicy } from './widget-headers';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../../../building-blocks/kms/deny-grants-except-aws-resources';
import { AccessLogsBucket } from '../../../../building-blocks/s3/access-logs-bucket';
import { encryptedBucketProps } from '../../../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../../../building-blocks/s3/event-bridge-notifications';
import { WIDGET_DOMAIN_NAME } from '../../../../config/widget-edge';

/** The files the distribution serves, by object key (`support-chat-widget.js`, …), as the widget's build returns them. */
export type WidgetFiles = Readonly<Record<string, string>>;

/** Properties of `WidgetHosting`. */
export interface WidgetHostingProps {
  /** The widget's files: shop pages load the script (`<script src="https://<domainName>/<file>">`) and mount it. */
  readonly files: WidgetFiles;
  /**
   * The host name the widget is served at (its certificate's), e.g. `chat.example.com`. CloudFront's own
   * `*.cloudfront.net` certificate accepts TLS 1.0 viewers; only a custom domain takes a minimum of TLS 1.2.
   */
  readonly domainName: string;
  /** ARN of the ACM certificate of `domainName`, in us-east-1 (CloudFront uses certificates from there only). */
  readonly certificateArn: string;
  /** ARN of the `CLOUDFRONT` web ACL (`WidgetWebAcl`, us-east-1) the distribution runs every request through. */
  readonly webAclArn: string;
  /** The WebSocket API behind `/<stageName>`: its `execute-api` host name and stage. */
  readonly webSocket: { readonly domainName: string; readonly stageName: string };
  /**
   * Origins (`https://shop.example.com`) of the shop pages that embed the widget: CORS allows them to load the script
   * with Subresource Integrity (`crossorigin`), and CSP `frame-ancestors` lets only them frame a page of the distribution.
   */
  readonly embeddingOrigins: readonly string[];
  /** Customer-managed key of the log bucket and the deployment's log group (the widget's files get a key of their own). */
  readonly key: IKey;
  /** How long the access logs (S3 server access logs of the widget bucket, CloudFront's standard logs) are kept. */
  readonly accessLogExpiration: Duration;
  /** Retention of the deployment function's log group. */
  readonly logRetention: RetentionDays;
}

/** The prefix of CloudFront's standard log files in the log bucket (S3 server access logs go under `s3/`). */
export const CLOUDFRONT_LOG_PREFIX = 'cloudfront/';
/** The WebSocket handshake headers CloudFront passes to API Gateway (RFC 6455 §4.1); the token rides in the protocol header. */
export const WEBSOCKET_HEADERS = ['Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions'] as const;
/** HSTS max-age: two years. */
const HSTS_MAX_AGE = Duration.days(730);

/**
 * The support-chat widget's hosting in the tenant's Region:
 * - a private bucket (SSE-KMS with a key of its own, versioned, TLS only, public access blocked, ACLs disabled, server
 *   access logs) holding the widget's files, deployed by `BucketDeployment` from the synthesized assets (no Docker: the
 *   files are zipped at synth; its function runs the AWS CLI from aws-cdk-lib's layer);
 * - a CloudFront distribution reading the bucket with origin access control (SigV4-signed requests, the bucket policy
 *   allowing only this distribution), on `domainName` with a minimum of TLS 1.2 (`TLSv1.2_2021`), HTTP/2 and 3, every
 *   request through the web ACL, and on every response a strict Content-Security-Policy (`widgetContentSecurityPolicy`),
 *   HSTS, `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and CORS for the embedding origins;
 * - the WebSocket API behind `/<stageName>` on the same distribution: caching disabled, an origin request policy with
 *   the handshake headers only (`WEBSOCKET_HEADERS`; no cookies, no query string), HTTPS with TLS 1.2 to `execute-api`;
 * - CloudFront standard logging (legacy) into a log bucket in the tenant's Region (ACLs enabled, which that logging
 *   needs), without cookies.
 * - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html (OAC)
 * - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-working-with.websockets.html
 * - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html
 * - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
 */
export class WidgetHosting extends Construct {
  public readonly bucket: Bucket;
  /** The key of the widget bucket, for nothing else. */
  public readonly filesKey: Key;
  public readonly logBucket: Bucket;
  public readonly distribution: Distribution;
  public readonly deployment: BucketDeployment;
  public readonly responseHeaders: ResponseHeadersPolicy;
  public readonly webSocketRequests: OriginRequestPolicy;
  /** `https://<domainName>/`, the widget page. */
  public readonly url: string;
  /** `wss://<domainName>/<stageName>`, the chat's WebSocket through the distribution. */
  public readonly webSocketUrl: string;

  constructor(scope: Construct, id: string, props: WidgetHostingProps) {
    super(scope, id);
    if (Object.keys(props.files).length === 0) throw new Error('WidgetHosting: the widget has no files to serve');
    for (const key of Object.keys(props.files)) {
      if (!/^[\w-]+(\.[\w-]+)*(\/[\w-]+(\.[\w-]+)*)*$/.test(key)) throw new Error(`WidgetHosting: "${key}" is not a plain object key (letters, digits, -, _, ., /)`);
    }
    if (!Token.isUnresolved(props.certificateArn) && !/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(props.certificateArn)) {
      throw new Error(`WidgetHosting: certificateArn must be an ACM certificate in us-east-1 (CloudFront uses no other Region's); found "${props.certificateArn}"`);
    }
    if (!Token.isUnresolved(props.webAclArn) && !/^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[\w-]+$/.test(props.webAclArn)) {
      throw new Error(`WidgetHosting: webAclArn must be a WAF web ACL of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>); found "${props.webAclArn}"`);
    }
    if (props.embeddingOrigins.length === 0) throw new Error('WidgetHosting: embeddingOrigins needs at least one shop origin');
    if (!WIDGET_DOMAIN_NAME.test(props.domainName)) {
      throw new Error(`WidgetHosting: domainName must be a lowercase host name; found "${props.domainName}"`);
    }
    const stage = props.webSocket.stageName;
    this.url = `https://${props.domainName}/`;
    this.webSocketUrl = `wss://${props.domainName}/${stage}`;
    const contentSecurityPolicy = widgetContentSecurityPolicy(this.webSocketUrl, props.embeddingOrigins);

    const accessLogs = new AccessLogsBucket(this, 'Logs', { encryptionKey: props.key, expiration: props.accessLogExpiration });
    this.logBucket = accessLogs.bucket;
    // CloudFront's standard logging (legacy) writes with the awslogsdelivery account through an ACL grant: the bucket
    // must keep ACLs, and its key must let the log delivery service encrypt.
    (this.logBucket.node.defaultChild as CfnBucket).ownershipControls = { rules: [{ objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED }] };
    props.key.grant(new ServicePrincipal('delivery.logs.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');

    // The files' own key: CloudFront's OAC statement in its policy names any distribution of the account (the
    // distribution's id is not known before it exists), so it must decrypt nothing but the widget's public files.
    this.filesKey = new Key(this, 'FilesKey', { description: 'Support chat widget: the widget\'s files', enableKeyRotation: true });
    denyGrantsExceptForAwsResources(this.filesKey);
    Annotations.of(Stack.of(this)).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
      'The key of the widget bucket encrypts only the widget\'s public files; the bucket policy still allows only this distribution');
    this.bucket = new Bucket(this, 'Bucket', {
      ...encryptedBucketProps(this.filesKey),
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [{ id: 'ExpireReplacedFiles', noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.bucket);
    const rebuilt = 'The widget\'s files are built from the repository at every synth and deployed whole; the bucket holds nothing that is not in the repository';
    acknowledgeFinding(this.bucket,
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: `${rebuilt}, and each deployment deletes the files a build no longer has, which Object Lock would refuse` },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: rebuilt },
      { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: rebuilt },
    );

    this.responseHeaders = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Support chat widget: CSP, HSTS, nosniff, no referrer, CORS for the embedding origins',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      corsBehavior: {
        accessControlAllowOrigins: [...props.embeddingOrigins],
        accessControlAllowMethods: ['GET', 'HEAD'],
        // CloudFront needs one; a script load sends no preflight.
        accessControlAllowHeaders: ['Content-Type'],
        accessControlAllowCredentials: false,
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
    });
    this.webSocketRequests = new OriginRequestPolicy(this, 'WebSocketRequests', {
      comment: 'Support chat WebSocket: the handshake headers only',
      headerBehavior: OriginRequestHeaderBehavior.allowList(...WEBSOCKET_HEADERS),
      cookieBehavior: OriginRequestCookieBehavior.none(),
      queryStringBehavior: OriginRequestQueryStringBehavior.none(),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Support chat widget and WebSocket',
      domainNames: [props.domainName],
      certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: CLOUDFRONT_LOG_PREFIX,
      logIncludesCookies: false,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeaders,
        compress: true,
      },
      additionalBehaviors: {
        [`/${stage}`]: {
          origin: new HttpOrigin(props.webSocket.domainName, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: this.webSocketRequests,
          responseHeadersPolicy: this.responseHeaders,
          compress: false,
        },
      },
    });

    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: Object.entries(props.files).map(([key, body]) => Source.data(key, body)),
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      logGroup: new LogGroup(this, 'DeploymentLogs', { encryptionKey: props.key, retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN }),
      memoryLimit: 256,
    });
    acknowledgeDeploymentFindings(this.deployment, this.bucket);
    acknowledgeFinding(this.distribution,
      { id: 'cdk-validator-cfnguard::cloudfront_origin_failover_enabled_check', reason: 'Each path has one origin in the tenant\'s Region: the WebSocket API has no second Region to fail over to (a connection lives in one Region), and the widget\'s files are only useful with it' },
      { id: 'cdk-validator-cfnguard::cloudfront_default_root_object_configured_check', reason: 'No page at the root: shops load the widget\'s script by its file name; / gets S3\'s AccessDenied through OAC, listing nothing' },
      { id: 'AwsSolutions::AwsSolutions-CFR1', reason: 'The shop sells worldwide: the widget and its chat are served to every country CloudFront serves; WAF\'s rules and rate limit apply to all' },
    );
  }
}
