import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';

/** CloudFormation quota: a template passed inline as `TemplateBody`, in bytes. */
export const TEMPLATE_BODY_MAX_BYTES = 51200;

export interface ServiceManagedStackSetProps {
  /** StackSet name; stable, because renaming replaces every stack instance. */
  readonly stackSetName: string;
  readonly description: string;
  /** The member template as synthesized (a `BootstraplessSynthesizer` stack: no bootstrap parameter, no assets). */
  readonly template: object;
  /** OUs whose accounts (present and future) get a stack instance. */
  readonly organizationalUnitIds: readonly string[];
  /** Regions of the stack instances. */
  readonly regions: readonly string[];
  /** `DELEGATED_ADMIN` when the StackSet lives in a registered StackSets delegated administrator account. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** Keep an account's stacks when it leaves a target OU. */
  readonly retainStacksOnAccountRemoval: boolean;
  readonly operationPreferences: {
    readonly regionConcurrency: 'SEQUENTIAL' | 'PARALLEL';
    readonly maxConcurrentPercentage: number;
    readonly failureTolerancePercentage: number;
  };
}

/**
 * A `SERVICE_MANAGED` StackSet with auto-deployment: every account in the target OUs, and every account that joins
 * them later, gets the template in every listed Region without a pipeline run (the management account never does: AWS
 * does not deploy service-managed instances there). Operations use managed execution (independent operations run
 * concurrently) and the configured preferences. The template goes inline and must stay within the 51,200-byte
 * `TemplateBody` quota: synth fails otherwise (publishing larger templates by `TemplateURL` is not built yet).
 */
export class ServiceManagedStackSet extends Construct {
  public readonly resource: CfnStackSet;
  /** Bytes of the template body as deployed. */
  public readonly templateBytes: number;

  constructor(scope: Construct, id: string, props: ServiceManagedStackSetProps) {
    super(scope, id);
    const body = JSON.stringify(props.template);
    this.templateBytes = Buffer.byteLength(body, 'utf8');
    if (this.templateBytes > TEMPLATE_BODY_MAX_BYTES) {
      throw new Error(`StackSet ${props.stackSetName}: the member template is ${this.templateBytes} bytes; TemplateBody accepts at most ${TEMPLATE_BODY_MAX_BYTES}`);
    }
    this.resource = new CfnStackSet(this, 'Resource', {
      stackSetName: props.stackSetName,
      description: props.description,
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: props.operationPreferences.regionConcurrency,
        maxConcurrentPercentage: props.operationPreferences.maxConcurrentPercentage,
        failureTolerancePercentage: props.operationPreferences.failureTolerancePercentage,
      },
      stackInstancesGroup: [{
        deploymentTargets: { organizationalUnitIds: [...props.organizationalUnitIds] },
        regions: [...props.regions],
      }],
      templateBody: body,
    });
  }
}
