import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnGuardrail, CfnGuardrailVersion, CfnResourcePolicy } from 'aws-cdk-lib/aws-bedrock';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { CfnResourceShare } from 'aws-cdk-lib/aws-ram';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { guardrailContentHash, guardrailProperties } from '../../building-blocks/guardrail/guardrail-properties';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_NAME_PREFIX, GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../../contracts/governance-names';
import { GUARDRAIL_IDENTIFIER_PARAMETER_NAME } from '../../contracts/workload-contract';
import { bedrockPolicyContent, bedrockPolicyName, guardrailResourcePolicy, placeholderGuardrailIdentifier } from '../../policies/br-gr-1';
import { concreteRegion } from '../stack-region';
import { MEASURED_CHARACTERS_METADATA } from '../summary';

export interface OrganizationGuardrailStackProps extends StackProps {
  readonly config: GovernanceConfig;
}

/**
 * BR-GR-1 in one governed Region (the Region of its `env`), in the management account: the guardrail from config, a
 * numeric version of it, the resource policy that lets the organization apply it, and the Organizations Bedrock policy
 * on the root that enforces it on every Bedrock invocation in the Region. A Bedrock policy names guardrails per Region and each must live in its
 * Region, so there is one stack per governed Region; Organizations merges the root's Bedrock policies by Region key.
 *
 * A change to the guardrail's content gets a new version resource (its id carries a hash of the content), so the
 * policy always names a version that matches the config. The guardrail's `<ARN>:<version>` is published in an
 * advanced-tier SSM parameter shared with the organization, from which every member's workload contract reads it.
 */
export class OrganizationGuardrailStack extends Stack {
  public readonly guardrail: CfnGuardrail;
  public readonly version: CfnGuardrailVersion;
  public readonly bedrockPolicy: CfnPolicy;
  /** Characters of the Bedrock policy with the longest identifier the guardrail can get. */
  public readonly bedrockPolicyCharacters: number;

  constructor(scope: Construct, id: string, props: OrganizationGuardrailStackProps) {
    super(scope, id, props);
    const { config } = props;
    const region = concreteRegion(this);
    const content = guardrailProperties(config);
    this.guardrail = new CfnGuardrail(this, 'Guardrail', {
      ...content,
      tags: [{ key: GOVERNANCE_TAG_KEY, value: GOVERNANCE_TAG_VALUE }],
    });
    const contentHash = guardrailContentHash(content);
    this.version = new CfnGuardrailVersion(this, `Version${contentHash}`, {
      guardrailIdentifier: this.guardrail.attrGuardrailId,
      description: `Content ${contentHash}`,
    });
    const resourcePolicy = new CfnResourcePolicy(this, 'GuardrailPolicy', {
      resourceArn: this.guardrail.attrGuardrailArn,
      policyDocument: guardrailResourcePolicy(config, this.guardrail.attrGuardrailArn),
    });

    const account = accountIdOf(config, config.topology.management);
    this.bedrockPolicyCharacters = JSON.stringify(bedrockPolicyContent(config, region, placeholderGuardrailIdentifier(region, account))).length;
    const limit = config.organization.limits.bedrockPolicyCharacters;
    if (this.bedrockPolicyCharacters > limit) {
      throw new Error(`The Bedrock policy for ${region} is ${this.bedrockPolicyCharacters} characters; the limit is ${limit} (organization.limits.bedrockPolicyCharacters)`);
    }
    this.bedrockPolicy = new CfnPolicy(this, 'BedrockPolicy', {
      name: bedrockPolicyName(region),
      description: `BR-GR-1: guardrail ${config.bedrock.guardrail.name} on every Bedrock invocation in ${region}`,
      type: 'BEDROCK_POLICY',
      content: bedrockPolicyContent(config, region, Fn.join(':', [this.guardrail.attrGuardrailArn, this.version.attrVersion])),
      targetIds: [config.organization.rootId],
    });
    this.bedrockPolicy.addMetadata(MEASURED_CHARACTERS_METADATA, this.bedrockPolicyCharacters);
    // Enforcement must not start before members may apply the guardrail, or their Bedrock calls fail.
    this.bedrockPolicy.addResourceDependency(resourcePolicy);

    const identifier = new StringParameter(this, 'GuardrailIdentifier', {
      parameterName: GUARDRAIL_IDENTIFIER_PARAMETER_NAME,
      description: 'BR-GR-1: <ARN>:<version> of the organization guardrail in this Region (shared with the organization; the members\' workload contract)',
      stringValue: Fn.join(':', [this.guardrail.attrGuardrailArn, this.version.attrVersion]),
      tier: ParameterTier.ADVANCED,
    });
    new CfnResourceShare(this, 'GuardrailIdentifierShare', {
      name: `${GOVERNANCE_NAME_PREFIX}guardrail-identifier`,
      resourceArns: [identifier.parameterArn],
      principals: [`arn:${this.partition}:organizations::${account}:organization/${config.organization.id}`],
      allowExternalPrincipals: false,
    });
  }
}
