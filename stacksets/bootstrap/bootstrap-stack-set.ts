import { readFileSync } from 'node:fs';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { TEMPLATE_BODY_BUDGET_BYTES, TEMPLATE_BYTES_METADATA } from '../rollout/service-managed-stack-set';

export interface PipelineBootstrapStackSetProps {
  /** StackSet name; stable, because renaming replaces every stack instance. */
  readonly stackSetName: string;
  /** The synthesized bootstrap member template (stacksets/bootstrap/pipeline-bootstrap-stack.ts). */
  readonly templateFile: string;
  /** The organization's root id: the OU the account filter applies to. */
  readonly rootId: string;
  /** The accounts bootstrapped: the estate's accounts the pipeline deploys to, never the management account. */
  readonly accounts: readonly string[];
  /** The Regions bootstrapped in every one of them. */
  readonly regions: readonly string[];
  /** `DELEGATED_ADMIN` when the StackSet lives in a registered StackSets delegated administrator account. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  readonly operationPreferences: {
    readonly regionConcurrency: 'SEQUENTIAL' | 'PARALLEL';
    readonly maxConcurrentPercentage: number;
    readonly failureTolerancePercentage: number;
  };
}

/**
 * A `SERVICE_MANAGED` StackSet that bootstraps exactly the listed accounts in the listed Regions: the organization root
 * as target with an `INTERSECTION` account filter (service-managed StackSets take OUs as targets; the filter narrows
 * them to the accounts, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/account-level-targets.html).
 * No auto-deployment: an account that joins an OU gets no bootstrap that trusts the deployment account, only the
 * accounts of the estate do. The template goes inline (`TemplateBody`), within 80 % of its 51,200-byte quota.
 */
export class PipelineBootstrapStackSet extends Construct {
  public readonly resource: CfnStackSet;
  public readonly templateBytes: number;

  constructor(scope: Construct, id: string, props: PipelineBootstrapStackSetProps) {
    super(scope, id);
    if (props.accounts.length === 0 || props.accounts.some((a) => !/^\d{12}$/.test(a))) {
      throw new Error(`StackSet ${props.stackSetName}: accounts must be 12-digit account ids, at least one; received ${JSON.stringify(props.accounts)}`);
    }
    if (props.regions.length === 0) throw new Error(`StackSet ${props.stackSetName}: at least one Region`);
    const body = JSON.stringify(JSON.parse(readFileSync(props.templateFile, 'utf8')));
    this.templateBytes = Buffer.byteLength(body, 'utf8');
    if (this.templateBytes > TEMPLATE_BODY_BUDGET_BYTES) {
      throw new Error(`StackSet ${props.stackSetName}: the bootstrap template is ${this.templateBytes} bytes, over the ${TEMPLATE_BODY_BUDGET_BYTES}-byte budget of TemplateBody`);
    }
    this.resource = new CfnStackSet(this, 'Resource', {
      stackSetName: props.stackSetName,
      description: 'CDK bootstrap for the governance pipeline: roles trusting the deployment account only, a scoped execution policy',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs,
      autoDeployment: { enabled: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: props.operationPreferences.regionConcurrency,
        maxConcurrentPercentage: props.operationPreferences.maxConcurrentPercentage,
        failureTolerancePercentage: props.operationPreferences.failureTolerancePercentage,
      },
      stackInstancesGroup: [{
        deploymentTargets: { organizationalUnitIds: [props.rootId], accounts: [...props.accounts], accountFilterType: 'INTERSECTION' },
        regions: [...props.regions],
      }],
      templateBody: body,
    });
    this.resource.addMetadata(TEMPLATE_BYTES_METADATA, this.templateBytes);
  }
}
