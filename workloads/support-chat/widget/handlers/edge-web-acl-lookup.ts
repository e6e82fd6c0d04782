/**
 * The widget's web ACL lookup, a custom resource in the tenant's first Region: the ARN of the `CLOUDFRONT` web ACL
 * the edge stack created in us-east-1, for the distribution's `WebACLId` (docs/adr/0031-support-chat-widget-edge.md).
 *
 * - Create and Update: pages through WAF's `ListWebACLs` (scope `CLOUDFRONT`, us-east-1, `NextMarker`) and answers the
 *   ARN of the one web ACL named `WebAclName` as the physical id (the custom resource's `Ref`). None, or more than one,
 *   fails the deployment with what was found named: the edge stack is deployed first.
 * - Delete: nothing (the web ACL belongs to the edge stack).
 *
 * WAF's API is a global service under ORG-REGION-1, so this function runs in a governed Region. Bundled by esbuild.
 */
import { ListWebACLsCommand, WAFV2Client, type WebACLSummary } from '@aws-sdk/client-wafv2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, RETRY } from '../../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** Physical id a failed Create answers with. */
export const NOT_CREATED_ID = 'edge-web-acl-lookup-not-created';
/** The only Region that serves the web ACLs of scope `CLOUDFRONT`. */
export const CLOUDFRONT_WAF_API_REGION = 'us-east-1';
/** Web ACLs per `ListWebACLs` page: WAF's maximum. */
export const PAGE_SIZE = 100;
/** Pages read at most (10,000 web ACLs, far above WAF's quota per account): a marker that never ends fails. */
export const MAX_PAGES = 100;
/** A web ACL name as WAF accepts it. */
const WEB_ACL_NAME = /^[\w-]{1,128}$/;
/** A web ACL of scope `CLOUDFRONT`. */
const CLOUDFRONT_WEB_ACL_ARN = /^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[\w-]+$/;

/** The resource's properties as CloudFormation passes them. */
export interface EdgeWebAclLookupProperties {
  /** Name of the web ACL of scope `CLOUDFRONT` in the account. */
  readonly WebAclName: string;
}

class WebAclNotFoundError extends Error {
  public override readonly name = 'WebAclNotFound';
}

/** Every `CLOUDFRONT` web ACL of the account, page by page (the SDK's standard retries on each page). */
async function listCloudFrontWebAcls(): Promise<WebACLSummary[]> {
  const waf = new WAFV2Client({ ...RETRY, region: CLOUDFRONT_WAF_API_REGION });
  const all: WebACLSummary[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await waf.send(new ListWebACLsCommand({ Scope: 'CLOUDFRONT', Limit: PAGE_SIZE, NextMarker: marker }));
    all.push(...(output.WebACLs ?? []));
    marker = output.NextMarker || undefined;
    if (!marker) return all;
  }
  throw new Error(`ListWebACLs still had a NextMarker after ${MAX_PAGES} pages`);
}

async function apply(event: CloudFormationCustomResourceEvent): Promise<string> {
  if (event.RequestType === 'Delete') return event.PhysicalResourceId;
  const { WebAclName: name } = event.ResourceProperties as Record<string, unknown>;
  if (typeof name !== 'string' || !WEB_ACL_NAME.test(name)) {
    throw new InvalidPropertiesError(`WebAclName must be 1 to 128 letters, digits, - or _, found ${JSON.stringify(name)}`);
  }
  const all = await listCloudFrontWebAcls();
  const matches = all.filter((acl) => acl.Name === name);
  if (matches.length === 0) {
    const others = all.length === 0 ? 'none' : `${all.length}: ${all.slice(0, 10).map((acl) => acl.Name).join(', ')}${all.length > 10 ? ', …' : ''}`;
    throw new WebAclNotFoundError(`no web ACL of scope CLOUDFRONT named "${name}" in ${CLOUDFRONT_WAF_API_REGION} of this account (web ACLs found: ${others}); deploy the edge stack first`);
  }
  if (matches.length > 1) {
    throw new WebAclNotFoundError(`${matches.length} web ACLs of scope CLOUDFRONT are named "${name}": ${matches.map((acl) => acl.ARN).join(', ')}`);
  }
  const arn = matches[0].ARN;
  if (typeof arn !== 'string' || !CLOUDFRONT_WEB_ACL_ARN.test(arn)) {
    throw new WebAclNotFoundError(`the web ACL "${name}" has no ARN of a CLOUDFRONT web ACL in ${CLOUDFRONT_WAF_API_REGION}: ${JSON.stringify(arn)}`);
  }
  return arn;
}

/** Lambda entry point: looks the web ACL up and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  await answerCloudFormation(event, context, () => apply(event), { action: 'web ACL lookup', notCreatedId: NOT_CREATED_ID });
}
