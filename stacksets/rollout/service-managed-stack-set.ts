import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** CloudFormation quota: a template passed inline as `TemplateBody`, in bytes. */
export const TEMPLATE_BODY_MAX_BYTES = 51200;
/** CloudFormation quota: a template read from S3 (`TemplateURL`), in bytes. */
export const TEMPLATE_URL_MAX_BYTES = 1024 * 1024;
/**
 * The largest template this app passes inline: 80 % of the `TemplateBody` quota (40,960 bytes). Above it a template
 * goes by `TemplateURL`, so no member template change can meet the inline quota (docs/adr/0004).
 */
export const TEMPLATE_BODY_BUDGET_BYTES = Math.floor(TEMPLATE_BODY_MAX_BYTES * 0.8);
/** The largest template this app passes at all: 80 % of the `TemplateURL` quota (838,860 bytes); synth fails above. */
export const TEMPLATE_URL_BUDGET_BYTES = Math.floor(TEMPLATE_URL_MAX_BYTES * 0.8);
/** Metadata key on the StackSet resource with the member template's size, for the main job's summary. */
export const TEMPLATE_BYTES_METADATA = 'GenAiGovernanceTemplateBytes';

/** Target OUs whose stack instances get parameter values of their own. */
export interface OrganizationalUnitOverrides {
  readonly organizationalUnitIds: readonly string[];
  readonly parameterOverrides: Readonly<Record<string, string>>;
}

export interface ServiceManagedStackSetProps {
  /** StackSet name; stable, because renaming replaces every stack instance. */
  readonly stackSetName: string;
  /** What the StackSet deploys, shown in the StackSets console. */
  readonly description: string;
  /**
   * The member template file as synthesized (a `BootstraplessSynthesizer` stack: no bootstrap parameter, no assets).
   * Minified, up to 40,960 bytes (80 % of the 51,200-byte quota) it goes inline (`TemplateBody`); larger, the minified
   * template is published as a file asset of this stack (the administrator account's CDK asset bucket) and passed by
   * `TemplateURL`. CloudFormation reads it there when it creates or updates the StackSet and sends the template to the
   * target accounts itself, so they need no access to the bucket.
   */
  readonly templateFile: string;
  /** OUs whose accounts (present and future) get a stack instance. */
  readonly organizationalUnitIds: readonly string[];
  /** Regions of the stack instances. */
  readonly regions: readonly string[];
  /**
   * Template parameter values that differ by Region (`{ 'eu-west-1': { Name: 'value' } }`): each such Region gets a
   * stack-instances group of its own with these overrides; the other Regions share one group with the defaults.
   * @default - every Region uses the template's parameter defaults, in one stack-instances group
   */
  readonly parameterOverridesByRegion?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * OUs whose stack instances get parameter values of their own, on top of their Region's (`parameterOverridesByRegion`):
   * each entry is stack-instances groups of its own (one for the Regions without overrides, one per Region with). An OU
   * here must not be in `organizationalUnitIds` (CloudFormation refuses a duplicated OU × Region). Moving an OU between
   * `organizationalUnitIds` and an entry updates its stack instances' parameters; it does not replace them.
   * @default - no OU has overrides of its own
   */
  readonly organizationalUnitOverrides?: readonly OrganizationalUnitOverrides[];
  /**
   * Narrows (or widens) every stack-instances group's OUs by accounts: `INTERSECTION` deploys only to these accounts of
   * the OUs, `DIFFERENCE` to the OUs' other accounts, `UNION` to the OUs' accounts and these
   * (`AWS::CloudFormation::StackSet` DeploymentTargets `AccountFilterType`).
   * @default - every account of the OUs
   */
  readonly accountFilter?: { readonly type: 'INTERSECTION' | 'DIFFERENCE' | 'UNION'; readonly accounts: readonly string[] };
  /**
   * Deploy to accounts that join the target OUs later (and remove from those that leave). Off for a StackSet meant for
   * named accounts: an account joining their OU later is not one of them.
   * @default true
   */
  readonly autoDeployment?: boolean;
  /** `DELEGATED_ADMIN` when the StackSet lives in a registered StackSets delegated administrator account. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** Keep an account's stacks when it leaves a target OU (only with `autoDeployment`, the one case CloudFormation takes it). */
  readonly retainStacksOnAccountRemoval: boolean;
  /** How fast a StackSet operation goes through the accounts and Regions, and how many failures it tolerates. */
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
 * concurrently) and the configured preferences. Every quota keeps 20 % headroom: the template goes inline up to 80 %
 * of the 51,200-byte `TemplateBody` quota, by `TemplateURL` up to 80 % of its 1 MB quota, and synth fails beyond that.
 */
export class ServiceManagedStackSet extends Construct {
  public readonly resource: CfnStackSet;
  /** Bytes of the template as deployed (minified, either way). */
  public readonly templateBytes: number;
  /** How the template reaches CloudFormation. */
  public readonly delivery: 'TemplateBody' | 'TemplateURL';

  constructor(scope: Construct, id: string, props: ServiceManagedStackSetProps) {
    super(scope, id);
    const body = JSON.stringify(JSON.parse(readFileSync(props.templateFile, 'utf8')));
    this.templateBytes = Buffer.byteLength(body, 'utf8');
    if (this.templateBytes > TEMPLATE_URL_BUDGET_BYTES) {
      throw new Error(`StackSet ${props.stackSetName}: the member template is ${this.templateBytes} bytes; TemplateURL accepts at most ${TEMPLATE_URL_MAX_BYTES} `
        + `and this app keeps 20 % headroom (at most ${TEMPLATE_URL_BUDGET_BYTES}): split the member template`);
    }
    this.delivery = this.templateBytes <= TEMPLATE_BODY_BUDGET_BYTES ? 'TemplateBody' : 'TemplateURL';
    const template = this.delivery === 'TemplateBody'
      ? { templateBody: body }
      : { templateUrl: new Asset(this, 'Template', { path: minifiedTemplateFile(body) }).httpUrl };
    this.resource = new CfnStackSet(this, 'Resource', {
      stackSetName: props.stackSetName,
      description: props.description,
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs,
      // RetainStacksOnAccountRemoval is specified only with auto-deployment enabled (AWS::CloudFormation::StackSet AutoDeployment).
      autoDeployment: props.autoDeployment ?? true
        ? { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval }
        : { enabled: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: props.operationPreferences.regionConcurrency,
        maxConcurrentPercentage: props.operationPreferences.maxConcurrentPercentage,
        failureTolerancePercentage: props.operationPreferences.failureTolerancePercentage,
      },
      stackInstancesGroup: stackInstancesGroups(props),
      ...template,
    });
    this.resource.addMetadata(TEMPLATE_BYTES_METADATA, this.templateBytes);
  }
}

/**
 * The minified template in a file named by its content hash (under the OS temporary directory, written whole or not
 * at all), for the `TemplateURL` asset: the object CloudFormation reads is then exactly `templateBytes` long, a third
 * smaller than the indented file the synthesizer writes.
 */
function minifiedTemplateFile(body: string): string {
  const dir = path.join(tmpdir(), 'genai-governance-member-templates');
  const file = path.join(dir, `${createHash('sha256').update(body).digest('hex')}.json`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, body);
    renameSync(partial, file);
  }
  return file;
}

/**
 * For `organizationalUnitIds`, then for each entry of `organizationalUnitOverrides` (with its values on top): one group
 * for the Regions without overrides, then one per Region with overrides (in `regions` order). No group without OUs.
 * Each group's targets carry `accountFilter`.
 */
function stackInstancesGroups(props: ServiceManagedStackSetProps): CfnStackSet.StackInstancesProperty[] {
  const overrides = props.parameterOverridesByRegion ?? {};
  const plain = props.regions.filter((r) => !(r in overrides));
  const groupsOf = (ouIds: readonly string[], ouOverrides: Readonly<Record<string, string>>): CfnStackSet.StackInstancesProperty[] => {
    if (ouIds.length === 0) return [];
    const filter = props.accountFilter;
    const deploymentTargets: CfnStackSet.DeploymentTargetsProperty = filter
      ? { organizationalUnitIds: [...ouIds], accounts: [...filter.accounts], accountFilterType: filter.type }
      : { organizationalUnitIds: [...ouIds] };
    const parameterOverrides = (values: Readonly<Record<string, string>>) => (Object.keys(values).length === 0 ? {} : {
      parameterOverrides: Object.entries(values).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue })),
    });
    return [
      ...(plain.length > 0 ? [{ deploymentTargets, regions: plain, ...parameterOverrides(ouOverrides) }] : []),
      ...props.regions.filter((r) => r in overrides).map((r) => ({
        deploymentTargets,
        regions: [r],
        ...parameterOverrides({ ...overrides[r], ...ouOverrides }),
      })),
    ];
  };
  return [
    ...groupsOf(props.organizationalUnitIds, {}),
    ...(props.organizationalUnitOverrides ?? []).flatMap((o) => groupsOf(o.organizationalUnitIds, o.parameterOverrides)),
  ];
}
