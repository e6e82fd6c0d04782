import { accountIdOf } from '../config/accounts';
import type { GovernanceConfig } from '../config/schema';
import { CLOUDFRONT_REGION, SUPPORT_CHAT_EDGE_STACK } from '../config/widget-edge';

/**
 * The qualifier of the CDK CLI's default bootstrap template, which the tenant account's own bootstrap uses (bootstrapped
 * as the platform role, docs/deploying.md); the edge stack deploys with it, pipeline or not (stacks/pipeline/estate-stages.ts).
 */
export const DEFAULT_CDK_QUALIFIER = 'hnb659fds';

/**
 * The global services a CDK deployment of a web ACL uses: IAM (the deploy role passes the execution role), KMS (the
 * asset bucket's key), STS (the CLI's sessions) and WAF (the web ACL itself, created by CloudFormation as the
 * execution role). Everything else the bootstrap roles do is CloudFormation, S3 and SSM on `EdgeDeployment.resources`.
 */
export const EDGE_GLOBAL_ACTIONS = ['iam:*', 'kms:*', 'sts:*', 'wafv2:*'] as const;

/** Who may deploy the tenant's edge stack in us-east-1, and the only resources there they may use those services on. */
export interface EdgeDeployment {
  readonly region: string;
  readonly accountId: string;
  /** The tenant account's CDK bootstrap roles for the Region (deploy, file publishing, lookup, CloudFormation execution). */
  readonly principals: readonly string[];
  /** The edge stack (CloudFormation authorizes its change sets on it too), the bootstrap's asset bucket and objects, its version parameter. */
  readonly resources: readonly string[];
}

/**
 * The edge deployment of a config (docs/adr/0031-support-chat-widget-edge.md): with `workloads.supportChat.widget` and
 * us-east-1 not governed, the `SupportChatEdge` stack goes to the tenant's account in us-east-1 with the account's
 * default CDK bootstrap there, named as the CLI's bootstrap template names it:
 * `cdk-<qualifier>-{deploy,file-publishing,lookup,cfn-exec}-role-<account>-<region>`, the bucket
 * `cdk-<qualifier>-assets-<account>-<region>` and the parameter `/cdk-bootstrap/<qualifier>/version`
 * (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html). The platform role creates that bootstrap, and
 * ORG-REGION-1 already exempts it. None without a widget, or when us-east-1 is a governed Region.
 */
export function edgeDeployment(config: GovernanceConfig): EdgeDeployment | undefined {
  const tenant = config.workloads.supportChat;
  const region = CLOUDFRONT_REGION;
  if (!tenant?.widget || config.organization.governedRegions.includes(region)) return undefined;
  const account = accountIdOf(config, tenant.account);
  const q = DEFAULT_CDK_QUALIFIER;
  const bucket = `arn:aws:s3:::cdk-${q}-assets-${account}-${region}`;
  return {
    region,
    accountId: account,
    principals: [`arn:aws:iam::${account}:role/cdk-${q}-*-role-${account}-${region}`],
    resources: [
      `arn:aws:cloudformation:${region}:${account}:stack/${SUPPORT_CHAT_EDGE_STACK}/*`, bucket, `${bucket}/*`, `arn:aws:ssm:${region}:${account}:parameter/cdk-bootstrap/${q}/version`,
    ],
  };
}
