import { Aws } from 'aws-cdk-lib';
import { CfnConfigurationPolicy, CfnFindingAggregator, CfnOrganizationConfiguration, CfnPolicyAssociation } from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { aiSecurityStandardArn, SECURITY_HUB_POLICY_NAME } from '../../contracts/detective-controls';

/** Properties of `SecurityHubCentralConfiguration`. */
export interface SecurityHubCentralConfigurationProps {
  /** The home Region: where the finding aggregator and the configuration policy live. */
  readonly homeRegion: string;
  /** The other governed Regions, linked to the home Region. */
  readonly linkedRegions: readonly string[];
  /** The OU ids the policy is associated with (the baseline's target OUs). */
  readonly organizationalUnitIds: readonly string[];
}

/**
 * DET-SH-1 in the audit account (Security Hub CSPM's delegated administrator), home Region: central configuration
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/central-configuration-intro.html).
 *
 * - `Aggregator`: cross-Region aggregation with the other governed Regions linked (a prerequisite of central
 *   configuration; the governed Regions only, so no Region outside the governance is turned on);
 * - `Organization`: the organization's configuration type `CENTRAL`, no auto-enable outside the policies;
 * - `Policy`: Security Hub on with the AI Security Best Practices v1.0.0 standard and every control of it (no control
 *   disabled, so controls AWS adds to the standard are on too);
 * - `Association-<ou id>`: the policy on each target OU of the baseline, whose accounts also get the recorder the
 *   standard's controls evaluate with; accounts elsewhere keep their own settings.
 */
export class SecurityHubCentralConfiguration extends Construct {
  public readonly policy: CfnConfigurationPolicy;

  constructor(scope: Construct, id: string, props: SecurityHubCentralConfigurationProps) {
    super(scope, id);
    if (props.organizationalUnitIds.length === 0) throw new Error('SecurityHubCentralConfiguration: no organizational unit to associate the policy with');
    const aggregator = new CfnFindingAggregator(this, 'Aggregator', {
      regionLinkingMode: 'SPECIFIED_REGIONS',
      regions: props.linkedRegions.length > 0 ? [...props.linkedRegions] : undefined,
    });
    const organization = new CfnOrganizationConfiguration(this, 'Organization', {
      autoEnable: false,
      autoEnableStandards: 'NONE',
      configurationType: 'CENTRAL',
    });
    organization.node.addDependency(aggregator);
    this.policy = new CfnConfigurationPolicy(this, 'Policy', {
      name: SECURITY_HUB_POLICY_NAME,
      description: 'Generative-AI governance (DET-SH-1): Security Hub CSPM with the AI Security Best Practices v1.0.0 standard',
      configurationPolicy: {
        securityHub: {
          serviceEnabled: true,
          enabledStandardIdentifiers: [aiSecurityStandardArn(props.homeRegion, Aws.PARTITION)],
          securityControlsConfiguration: { disabledSecurityControlIdentifiers: [] },
        },
      },
    });
    this.policy.node.addDependency(organization);
    for (const ouId of props.organizationalUnitIds) {
      new CfnPolicyAssociation(this, `Association-${ouId}`, {
        configurationPolicyId: this.policy.attrId,
        targetId: ouId,
        targetType: 'ORGANIZATIONAL_UNIT',
      });
    }
  }
}
