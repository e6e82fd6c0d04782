import * as path from 'node:path';
import { CreateWebACLCommand, ListWebACLsCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RETRY } from '../../../../building-blocks/custom-resources/handlers/custom-resource-runtime';
import { denyGrantsExceptForAwsResources } from '../../../../building-blocks/kms/deny-grants-except-aws-resources';
import { SUPPORT_CHAT_EDGE_STACK } from '../../../../config/widget-edge';
import { plannedStacks } from '../../../../stacks/deploy-plan';
import { ESTATE_TABLE, regionsOf } from '../../../../stacks/estate-table';
import { pipelineStacks } from '../../../../stacks/pipeline/estate-stages';
import { SupportChatEdgeStack, WIDGET_WEB_ACL_ARN_OUTPUT, WIDGET_WEB_ACL_NAME } from '../../../../workloads/support-chat/support-chat-edge-stack';
import { buildWidgetBundle } from '../../../../workloads/support-chat/widget/build-widget';
import { EdgeWebAclLookup } from '../../../../workloads/support-chat/widget/constructs/edge-web-acl-lookup';
import { widgetContentSecurityPolicy } from '../../../../workloads/support-chat/widget/constructs/widget-headers';
import { CLOUDFRONT_LOG_PREFIX, WidgetHosting, type WidgetHostingProps } from '../../../../workloads/support-chat/widget/constructs/widget-hosting';
import { WidgetWebAcl } from '../../../../workloads/support-chat/widget/constructs/widget-web-acl';
import { NOT_CREATED_ID, PAGE_SIZE } from '../../../../workloads/support-chat/widget/handlers/edge-web-acl-lookup';
import { fixRetryJitter, handlerTestBed, TEST_CREDENTIALS } from '../../../support/custom-resource-harness';
import { synthVariant } from '../../../support/estate';
import { exampleEstate } from '../../../support/example-estate';
import { FaultProxy } from '../../../support/fault-proxy';

/**
 * The widget's edge and hosting as two small stacks (the web ACL in us-east-1, the hosting in the tenant's Region),
 * synthesized once with every gate on: a cdk-nag or cfn-guard finding fails the synth.
 */
const ACCOUNT = '111122223333';
const CERTIFICATE = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
const WEB_ACL = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/support-chat-widget/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
const API_HOST = 'abcdef1234.execute-api.eu-central-1.amazonaws.com';
/** The widget's build, as the hosting serves it. */
const BUNDLE = buildWidgetBundle();
const FILES = { [BUNDLE.fileName]: BUNDLE.js };
const SHOP = 'https://shop.example.com';

function hostingProps(stack: Stack, overrides: Partial<WidgetHostingProps> = {}): WidgetHostingProps {
  const key = new Key(stack, `Key${stack.node.children.length}`, { description: 'Test: widget logs', enableKeyRotation: true });
  denyGrantsExceptForAwsResources(key);
  return {
    files: FILES,
    domainName: 'chat.example.com',
    certificateArn: CERTIFICATE,
    webAclArn: WEB_ACL,
    webSocket: { domainName: API_HOST, stageName: 'live' },
    embeddingOrigins: [SHOP],
    key,
    accessLogExpiration: Duration.days(90),
    logRetention: RetentionDays.ONE_YEAR,
    ...overrides,
  };
}

describe('support-chat widget edge and hosting', () => {
  const { built, synthesized } = synthVariant((app: App) => {
    const edge = new Stack(app, 'WidgetEdgeTest', { env: { account: ACCOUNT, region: 'us-east-1' } });
    new WidgetWebAcl(edge, 'Waf', { requestsPerFiveMinutes: 500, name: 'support-chat-widget' });
    const stack = new Stack(app, 'WidgetHostingTest', { env: { account: ACCOUNT, region: 'eu-central-1' } });
    const hosting = new WidgetHosting(stack, 'Widget', hostingProps(stack));
    const lookup = new EdgeWebAclLookup(stack, 'WebAclLookup', { webAclName: 'support-chat-widget', functionName: 'support-chat-widget-web-acl-lookup', logRetention: RetentionDays.ONE_YEAR });
    return { edge, stack, hosting, lookup };
  });
  const edge = synthesized(built.edge).template;
  const template = synthesized(built.stack).template;
  const id = (c: { node: { defaultChild?: unknown } }) => built.stack.getLogicalId(c.node.defaultChild as any);
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution')) as any[];
  const config = distribution.Properties.DistributionConfig;

  describe('early validation', () => {
    const scratch = () => new Stack(undefined, 'Scratch', { env: { account: ACCOUNT, region: 'eu-central-1' } });
    test.each([
      [{ certificateArn: CERTIFICATE.replace('us-east-1', 'eu-central-1') }, /certificateArn must be an ACM certificate in us-east-1/],
      [{ webAclArn: WEB_ACL.replace('global/', 'regional/') }, /webAclArn must be a WAF web ACL of scope CLOUDFRONT/],
      [{ embeddingOrigins: [] }, /at least one shop origin/],
      [{ embeddingOrigins: ['http://shop.example.com'] }, /embedding origin must be https/],
      [{ embeddingOrigins: ['https://shop.example.com/path'] }, /embedding origin must be https/],
      [{ domainName: 'Chat.Example.com' }, /lowercase host name/],
      [{ files: {} }, /no files/],
      [{ files: { '../escape.js': 'x' } }, /not a plain object key/],
    ])('refuses %j', (overrides, message) => {
      const stack = scratch();
      expect(() => new WidgetHosting(stack, 'Widget', hostingProps(stack, overrides as Partial<WidgetHostingProps>))).toThrow(message);
    });
    test('refuses a CLOUDFRONT web ACL outside us-east-1, and a rate limit WAF does not accept', () => {
      expect(() => new WidgetWebAcl(scratch(), 'Waf', { requestsPerFiveMinutes: 500 })).toThrow(/only in us-east-1; the stack Scratch is in eu-central-1/);
      const east = () => new Stack(undefined, 'East', { env: { account: ACCOUNT, region: 'us-east-1' } });
      expect(() => new WidgetWebAcl(east(), 'Waf', { requestsPerFiveMinutes: 9 })).toThrow(/from 10 to 2000000000; found 9/);
      expect(() => new WidgetWebAcl(east(), 'Waf', { requestsPerFiveMinutes: 100.5 })).toThrow(/found 100.5/);
    });
  });

  describe('WidgetWebAcl (us-east-1)', () => {
    const [acl] = Object.values(edge.findResources('AWS::WAFv2::WebACL')) as any[];
    const rules: any[] = acl.Properties.Rules;
    test('scope CLOUDFRONT, allow by default, metrics and sampled requests on the ACL and every rule', () => {
      expect(acl.Properties).toMatchObject({ Name: 'support-chat-widget', Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
      for (const v of [acl.Properties.VisibilityConfig, ...rules.map((r) => r.VisibilityConfig)]) {
        expect(v).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: expect.stringMatching(/^support-chat-widget-/) });
      }
    });
    test('blocks an IP above the configured rate first, then runs the known-bad-inputs and common rule sets with their own actions', () => {
      expect(rules[0]).toMatchObject({ Priority: 0, Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 500, EvaluationWindowSec: 300 } } });
      expect(rules.slice(1).map((r) => [r.Priority, r.Statement.ManagedRuleGroupStatement, r.OverrideAction])).toEqual([
        [1, { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' }, { None: {} }],
        [2, { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' }, { None: {} }],
      ]);
    });
    test('no association resource: CloudFront takes the web ACL in its own configuration', () => {
      expect(edge.findResources('AWS::WAFv2::WebACLAssociation')).toEqual({});
    });
  });

  describe('the distribution', () => {
    test('on the custom domain with its us-east-1 certificate, TLS 1.2 at least, SNI, HTTP/2 and 3, the web ACL', () => {
      expect(config).toMatchObject({
        Enabled: true,
        Aliases: ['chat.example.com'],
        ViewerCertificate: { AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
        HttpVersion: 'http2and3',
        WebACLId: WEB_ACL,
      });
    });

    test('the files through origin access control (SigV4 always), not an origin access identity, HTTPS for viewers', () => {
      const s3Origin = config.Origins.find((o: any) => o.S3OriginConfig);
      expect(s3Origin.DomainName).toEqual({ 'Fn::GetAtt': [id(built.hosting.bucket), 'RegionalDomainName'] });
      expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
      expect(s3Origin.OriginAccessControlId).toBeDefined();
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
      });
      expect(template.findResources('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual({});
      expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] });
    });

    test('the bucket policy lets only this distribution read, over TLS', () => {
      const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: id(built.hosting.bucket) } } })) as any[];
      const statements: any[] = policy.Properties.PolicyDocument.Statement;
      const read = statements.find((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
      expect(read).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
      expect(JSON.stringify(read.Condition.StringEquals['AWS:SourceArn'])).toContain(id(built.hosting.distribution));
      expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    });

    test('the bucket is private, versioned, SSE-KMS with its own key, and logs its access', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [id(built.hosting.filesKey), 'Arn'] } } }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: id(built.hosting.logBucket) }, LogFilePrefix: 's3/' },
      });
    });

    test('standard logging (legacy) into the log bucket in the tenant\'s Region, without cookies; the bucket keeps ACLs for it', () => {
      expect(config.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [id(built.hosting.logBucket), 'RegionalDomainName'] }, IncludeCookies: false, Prefix: CLOUDFRONT_LOG_PREFIX });
      const log = template.toJSON().Resources[id(built.hosting.logBucket)];
      expect(log.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    });

    test('every response carries the CSP (own origin, the WebSocket URL, the shops as frame ancestors), HSTS, nosniff and no referrer', () => {
      const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy')) as any[];
      const headers = policy.Properties.ResponseHeadersPolicyConfig;
      expect(headers.SecurityHeadersConfig).toMatchObject({
        ContentSecurityPolicy: { ContentSecurityPolicy: widgetContentSecurityPolicy('wss://chat.example.com/live', [SHOP]), Override: true },
        StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
        ContentTypeOptions: { Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      });
      expect(headers.CorsConfig).toMatchObject({ AccessControlAllowOrigins: { Items: [SHOP] }, AccessControlAllowCredentials: false });
      for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
        expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: built.stack.getLogicalId(built.hosting.responseHeaders.node.defaultChild as any) });
      }
    });
  });

  describe('the WebSocket through the same distribution', () => {
    test('/live goes to execute-api over HTTPS (TLS 1.2), caching disabled, GET only', () => {
      const [behavior] = config.CacheBehaviors;
      expect(behavior).toMatchObject({ PathPattern: '/live', ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD'], Compress: false });
      expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // the managed CachingDisabled policy
      const origin = config.Origins.find((o: any) => o.Id === behavior.TargetOriginId);
      expect(origin).toMatchObject({ DomainName: API_HOST, CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] } });
    });

    test('the origin request policy forwards the handshake headers, the token\'s Sec-WebSocket-Protocol among them, and no cookie or query string', () => {
      template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
        OriginRequestPolicyConfig: {
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions'] },
          CookiesConfig: { CookieBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        },
      });
    });
  });

  test('the deployment function may invalidate distributions (its only grant on *), and writes only the widget bucket', () => {
    const role = built.hosting.deployment.handlerRole.node.tryFindChild('DefaultPolicy')!.node.defaultChild as any;
    const statements: any[] = built.stack.resolve(role.policyDocument).Statement;
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat()).sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
    const writes = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:Put') || a.startsWith('s3:DeleteObject')));
    expect(writes.flatMap((s) => [s.Resource].flat())).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': [id(built.hosting.bucket), 'Arn'] }]));
    expect(JSON.stringify(writes)).not.toContain(id(built.hosting.logBucket));
  });

  test('the files are deployed from the synthesized assets and the distribution invalidated', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: id(built.hosting.bucket) },
      DistributionId: { Ref: id(built.hosting.distribution) },
      DistributionPaths: ['/*'],
      Prune: true,
    });
  });

  test('the web ACL lookup: a custom resource with the name, its role allowed wafv2:ListWebACLs and its own log streams only', () => {
    template.hasResourceProperties('Custom::EdgeWebAclLookup', { WebAclName: 'support-chat-widget' });
    expect(built.stack.resolve(built.lookup.webAclArn)).toEqual({ Ref: id(built.lookup) });
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'support-chat-widget-web-acl-lookup' } })) as any[];
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s.Action, s.Effect])).toEqual([
      ['ListWebAcls', 'wafv2:ListWebACLs', 'Allow'],
      ['WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Allow'],
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'support-chat-widget-web-acl-lookup', Runtime: 'nodejs24.x' });
  });
});

describe('the web ACL lookup\'s handler, bundled, against moto\'s WAF API (scope CLOUDFRONT)', () => {
  const bed = handlerTestBed(path.join(__dirname, '..', '..', '..', '..', 'workloads', 'support-chat', 'widget', 'handlers', 'edge-web-acl-lookup.ts'), 'AWS_ENDPOINT_URL_WAFV2', 'eu-central-1');
  const { responseUrl, run, useEndpoint } = bed;
  // The retry backoff with its jitter fixed at 0.1: 5, 10, 20, ... ms instead of up to 50, 100, 200.
  fixRetryJitter(0.1);
  const NAME = 'support-chat-widget';
  const PROPS = { WebAclName: NAME };

  /** The test's own client of moto's WAF API (the handler's goes where `useEndpoint` points it). */
  const waf = () => new WAFV2Client({
    region: 'us-east-1',
    endpoint: bed.moto().endpoint,
    credentials: { accessKeyId: TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });

  async function createWebAcl(name: string, scope: 'CLOUDFRONT' | 'REGIONAL' = 'CLOUDFRONT'): Promise<string> {
    const visibility = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: name };
    const create = new CreateWebACLCommand({ Name: name, Scope: scope, DefaultAction: { Allow: {} }, VisibilityConfig: visibility });
    const output = await waf().send(create);
    return output.Summary!.ARN!;
  }

  test('no web ACL of that name (a REGIONAL one of the same name does not count): FAILED, naming what was found', async () => {
    await createWebAcl(NAME, 'REGIONAL');
    const none = await run('Create', responseUrl.url, PROPS);
    expect(none).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOT_CREATED_ID });
    expect(none.Reason).toMatch(/^Create failed: web ACL lookup: WebAclNotFound: no web ACL of scope CLOUDFRONT named "support-chat-widget" in us-east-1 of this account \(web ACLs found: none\); deploy the edge stack first/);
    await createWebAcl('shop-cdn');
    expect((await run('Create', responseUrl.url, PROPS)).Reason).toContain('(web ACLs found: 1: shop-cdn)');
  });

  test('one web ACL of that name: its ARN is the physical id on Create and Update; Delete leaves it', async () => {
    await createWebAcl('shop-cdn');
    const arn = await createWebAcl(NAME);
    expect(arn).toMatch(/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/support-chat-widget\/[\w-]+$/);
    expect(await run('Create', responseUrl.url, PROPS)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: arn });
    expect(await run('Update', responseUrl.url, PROPS, { physicalResourceId: arn, oldProperties: PROPS })).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: arn });
    expect(await run('Delete', responseUrl.url, PROPS, { physicalResourceId: arn })).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: arn });
    const listed = await waf().send(new ListWebACLsCommand({ Scope: 'CLOUDFRONT' }));
    expect(listed.WebACLs?.map((acl) => acl.ARN)).toContain(arn);
  });

  test('the web ACL on the second page is found through NextMarker', async () => {
    for (let i = 0; i < PAGE_SIZE; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => createWebAcl(`other-${i + j}`)));
    const arn = await createWebAcl(NAME);
    const counter = new FaultProxy(bed.moto().endpoint, { status: 500, errorType: 'WAFInternalErrorException', message: 'unused' }, 0);
    await counter.start();
    try {
      useEndpoint(counter.endpoint);
      expect(await run('Create', responseUrl.url, PROPS)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: arn });
      expect(counter.arrivals.length).toBe(2);
    } finally {
      await counter.stop();
    }
  });

  test('a 5xx from WAF is retried; one that lasts fails after six attempts with the error named; a denial is not retried', async () => {
    const arn = await createWebAcl(NAME);
    const fault = { status: 500, errorType: 'WAFInternalErrorException', message: 'Your request is valid, but WAF couldn\'t perform the operation because of a system problem' };
    const brief = new FaultProxy(bed.moto().endpoint, fault, 2);
    const lasting = new FaultProxy(bed.moto().endpoint, fault, Infinity);
    const denial = new FaultProxy(bed.moto().endpoint, { status: 400, errorType: 'AccessDeniedException', message: 'not authorized to perform: wafv2:ListWebACLs' }, 1);
    await Promise.all([brief.start(), lasting.start(), denial.start()]);
    try {
      useEndpoint(brief.endpoint);
      expect(await run('Create', responseUrl.url, PROPS)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: arn });
      expect(brief.arrivals.length).toBe(3);
      useEndpoint(lasting.endpoint);
      const failed = await run('Update', responseUrl.url, PROPS, { physicalResourceId: arn, oldProperties: PROPS });
      expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: arn });
      expect(failed.Reason).toMatch(/^Update failed: web ACL lookup: WAFInternalErrorException: Your request is valid.* \(HTTP 500, request id/);
      expect(lasting.arrivals.length).toBe(RETRY.maxAttempts);
      useEndpoint(denial.endpoint);
      expect((await run('Create', responseUrl.url, PROPS)).Reason).toContain('AccessDeniedException: not authorized to perform: wafv2:ListWebACLs (HTTP 400');
      expect(denial.arrivals.length).toBe(1);
    } finally {
      await Promise.all([brief.stop(), lasting.stop(), denial.stop()]);
    }
  });

  test('an invalid name fails without a call', async () => {
    const counter = new FaultProxy(bed.moto().endpoint, { status: 500, errorType: 'WAFInternalErrorException', message: 'unused' }, 0);
    await counter.start();
    try {
      useEndpoint(counter.endpoint);
      for (const name of ['', 'a b', 'x'.repeat(129)]) {
        expect((await run('Create', responseUrl.url, { WebAclName: name })).Reason).toContain('InvalidProperties: WebAclName must be 1 to 128 letters, digits, - or _');
      }
      expect(counter.arrivals.length).toBe(0);
    } finally {
      await counter.stop();
    }
  });
});

describe('widgetContentSecurityPolicy', () => {
  test('allows only self, the WebSocket URL and the listed frame ancestors', () => {
    expect(widgetContentSecurityPolicy('wss://chat.example.com/live', [SHOP, 'https://*.shop.example.org'])).toBe(
      'default-src \'none\'; script-src \'self\'; style-src \'self\'; img-src \'self\' data:; connect-src wss://chat.example.com/live; '
      + 'frame-ancestors https://shop.example.com https://*.shop.example.org; base-uri \'none\'; form-action \'none\'; object-src \'none\'');
  });
  test.each(['ws://chat.example.com/live', 'wss://chat.example.com/live; script-src *', 'https://chat.example.com'])('refuses the WebSocket URL %s', (url) => {
    expect(() => widgetContentSecurityPolicy(url, [SHOP])).toThrow(/must be wss:/);
  });
  test.each(['https://shop.example.com;', 'https://shop.example.com \'unsafe-inline\'', '*', 'https://*'])('refuses the embedding origin %s', (origin) => {
    expect(() => widgetContentSecurityPolicy('wss://chat.example.com/live', [origin])).toThrow(/embedding origin must be https/);
  });
});

describe('SupportChatEdge in the example estate (workloads.supportChat.widget)', () => {
  const estate = exampleEstate();
  const widget = estate.config.workloads.supportChat!.widget!;
  const tenantAccount = estate.config.accounts.find((a) => a.name === estate.config.workloads.supportChat!.account)!.id;

  test('one stack, in the tenant\'s account in us-east-1, holding only the CLOUDFRONT web ACL at the configured rate, its ARN as an output', () => {
    expect(estate.supportChatEdge.map((s) => [s.stackName, s.artifact.environment.account, s.artifact.environment.region])).toEqual([['SupportChatEdge', tenantAccount, 'us-east-1']]);
    const template = estate.supportChatEdge[0].template;
    const resources = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type).filter((t) => t !== 'AWS::CDK::Metadata');
    expect(resources).toEqual(['AWS::WAFv2::WebACL']);
    const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL')) as any[];
    expect(acl.Properties).toMatchObject({ Name: WIDGET_WEB_ACL_NAME, Scope: 'CLOUDFRONT' });
    expect(acl.Properties.Rules[0].Statement.RateBasedStatement.Limit).toBe(widget.requestsPerFiveMinutes);
    expect(template.toJSON().Outputs[WIDGET_WEB_ACL_ARN_OUTPUT].Value).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  });

  test('the tenant\'s first Region serves the widget through the edge stack\'s web ACL, looked up by name; the CLI deploys the edge first', () => {
    const [first, ...others] = estate.supportChat;
    expect(first.artifact.environment.region).toBe(estate.config.workloads.supportChat!.regions[0]);
    const template = first.template;
    const [[lookupId, lookup]] = Object.entries(template.findResources('Custom::EdgeWebAclLookup')) as [string, any][];
    expect(lookup.Properties.WebAclName).toBe(WIDGET_WEB_ACL_NAME);
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution')) as any[];
    const config = distribution.Properties.DistributionConfig;
    expect(config).toMatchObject({
      Aliases: [widget.domainName], WebACLId: { Ref: lookupId }, ViewerCertificate: { AcmCertificateArn: widget.certificateArn },
    });
    const [apiId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'));
    const webSocketOrigin = config.Origins.find((o: any) => o.CustomOriginConfig);
    expect(JSON.stringify(webSocketOrigin.DomainName)).toContain(`{"Ref":"${apiId}"},".execute-api.${first.artifact.environment.region}.`);
    expect(config.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(['/live']);
    for (const other of others) expect(Object.keys(other.template.findResources('AWS::CloudFront::Distribution'))).toEqual([]);
    expect(first.artifact.dependencies.map((d) => d.id)).toContain(SUPPORT_CHAT_EDGE_STACK);
  });

  test('a pipeline deploys the tenant without the edge stack, which stays out of its waves', () => {
    const stacks = pipelineStacks(estate.config);
    expect(stacks.map((s) => s.id)).not.toContain(SUPPORT_CHAT_EDGE_STACK);
    const tenant = stacks.filter((s) => s.key === 'supportChat');
    expect(tenant.length).toBeGreaterThan(0);
    for (const s of tenant) expect(s.after.map((a) => a.id)).not.toContain(SUPPORT_CHAT_EDGE_STACK);
    expect(plannedStacks(estate.config).find((s) => s.key === 'supportChat')!.after.map((a) => a.id)).toContain(SUPPORT_CHAT_EDGE_STACK);
  });

  test('no edge stack without a widget, and the edge stack refuses a config without one', () => {
    const config = structuredClone(estate.config);
    delete (config.workloads.supportChat as { widget?: unknown }).widget;
    expect(regionsOf(ESTATE_TABLE.supportChatEdge, config)).toEqual([]);
    expect(() => new SupportChatEdgeStack(new App(), 'SupportChatEdge', { config, env: { account: tenantAccount, region: 'us-east-1' } }))
      .toThrow(/needs workloads.supportChat.widget/);
  });
});
