import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TENANT_PREFIX, WIDGET_WEB_ACL_NAME } from './tenant/tenant-names';
import { WidgetWebAcl } from './widget/constructs/widget-web-acl';
import type { GovernanceConfig } from '../../config/schema';

export interface SupportChatEdgeStackProps extends StackProps {
  readonly config: GovernanceConfig;
  /** The tenant's account, in us-east-1 (the only Region where AWS WAF creates web ACLs of scope `CLOUDFRONT`). */
  readonly env: { readonly account: string; readonly region: string };
}

export { WIDGET_WEB_ACL_NAME };

/** The edge stack's output that carries the web ACL's ARN to the distribution in the tenant's first Region. */
export const WIDGET_WEB_ACL_ARN_OUTPUT = 'WidgetWebAclArn';

/**
 * The support-chat widget's edge in us-east-1 (docs/adr/0031-support-chat-widget-edge.md): only the `CLOUDFRONT` web
 * ACL of the widget's distribution (per-IP rate limit of `workloads.supportChat.widget.requestsPerFiveMinutes`, the
 * managed rule groups of the chat's web ACL). Nothing else of the tenant lives outside its governed Regions: the
 * distribution, its bucket, logs and deployment function are in the tenant's first Region. ORG-REGION-1 lets only the
 * tenant account's CDK bootstrap roles for us-east-1 (and whatever bootstraps it there) act in us-east-1.
 */
export class SupportChatEdgeStack extends Stack {
  public readonly webAcl: WidgetWebAcl;

  constructor(scope: Construct, id: string, props: SupportChatEdgeStackProps) {
    super(scope, id, props);
    const widget = props.config.workloads.supportChat?.widget;
    if (!widget) throw new Error('SupportChatEdgeStack needs workloads.supportChat.widget in the config');
    this.webAcl = new WidgetWebAcl(this, 'WidgetWebAcl', { requestsPerFiveMinutes: widget.requestsPerFiveMinutes, name: WIDGET_WEB_ACL_NAME });
    new CfnOutput(this, WIDGET_WEB_ACL_ARN_OUTPUT, {
      value: this.webAcl.webAclArn,
      description: 'ARN of the widget distribution\'s CLOUDFRONT web ACL',
    });
    Tags.of(this).add('workload', TENANT_PREFIX);
  }
}
