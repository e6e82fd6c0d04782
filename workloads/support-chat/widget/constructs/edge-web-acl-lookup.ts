import * as path from 'node:path';
import { CustomResource, Token } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GovernanceHandler } from '../../../../building-blocks/custom-resources/governance-handler';
import type { EdgeWebAclLookupProperties } from '../handlers/edge-web-acl-lookup';

const HANDLER_ENTRY = path.join(__dirname, '..', 'handlers', 'edge-web-acl-lookup.ts');

/** Properties of `EdgeWebAclLookup`. */
export interface EdgeWebAclLookupProps {
  /** Name of the `CLOUDFRONT` web ACL in the stack's account (the edge stack's `WidgetWebAcl`). */
  readonly webAclName: string;
  /** Name of the lookup's function (and of its role); its log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** How long the function's log group keeps its events. */
  readonly logRetention: RetentionDays;
  /**
   * The key of the function's log group; its key policy must let CloudWatch Logs of this Region use it.
   *
   * @default - a key of its own
   */
  readonly logEncryptionKey?: IKey;
}

/**
 * The ARN of the widget's `CLOUDFRONT` web ACL, looked up at deployment in the stack's own Region: a custom resource
 * whose function (`handlers/edge-web-acl-lookup.ts`, a code asset bundled by esbuild) pages through WAF's
 * `ListWebACLs` in us-east-1 and answers the ARN of the one web ACL named `webAclName`, failing the deployment when
 * there is none (docs/adr/0031-support-chat-widget-edge.md). Its role may call `wafv2:ListWebACLs` and nothing else.
 * The lookup runs again whenever a property changes; a web ACL replaced in the edge stack is found by the next
 * deployment of this stack.
 *
 * Children: `Default` (the handler: function, role, policy, log group and, without `logEncryptionKey`, its key) and
 * `Resource` (`Custom::EdgeWebAclLookup`).
 */
export class EdgeWebAclLookup extends Construct {
  public readonly handler: GovernanceHandler;
  public readonly resource: CustomResource;
  /** The web ACL's ARN (`arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>`), for the distribution's `webAclId`. */
  public readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: EdgeWebAclLookupProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.webAclName) && !/^[\w-]{1,128}$/.test(props.webAclName)) {
      throw new Error(`EdgeWebAclLookup: webAclName must be 1 to 128 letters, digits, - or _; found "${props.webAclName}"`);
    }
    this.handler = new GovernanceHandler(this, 'Default', {
      functionName: props.functionName,
      roleDescription: 'Support chat widget: reads the ARN of its CLOUDFRONT web ACL (wafv2:ListWebACLs only)',
      description: 'Support chat widget: looks up the ARN of its CLOUDFRONT web ACL (CloudFormation custom resource)',
      entry: HANDLER_ENTRY,
      codeDelivery: 'asset',
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      statements: [
        // ListWebACLs has no resource type in the Service Authorization Reference
        // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awswafv2.html): it takes `*`.
        new PolicyStatement({ sid: 'ListWebAcls', actions: ['wafv2:ListWebACLs'], resources: ['*'] }),
      ],
      policyAcknowledgements: [{
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'wafv2:ListWebACLs has no resource type (Service Authorization Reference); it lists names and ARNs only, and it is the role\'s one action',
      }],
      outsideVpcReason: 'Calls only the WAF API in us-east-1 and the CloudFormation response URL; the tenant runs no VPC for it',
      concurrencyReason: 'Runs once per stack operation; reserved concurrency would take capacity from the tenant\'s chat for nothing',
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.serviceToken,
      resourceType: 'Custom::EdgeWebAclLookup',
      properties: { WebAclName: props.webAclName } satisfies EdgeWebAclLookupProperties,
    });
    this.node.defaultChild = this.resource;
    this.webAclArn = this.resource.ref;
  }
}
