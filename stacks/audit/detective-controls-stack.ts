import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BedrockConformancePack } from './bedrock-conformance-pack';
import { SecurityHubCentralConfiguration } from './security-hub-central-configuration';
import { baselineAccounts } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { concreteRegion } from '../stack-region';

export interface DetectiveControlsStackProps extends StackProps {
  readonly config: GovernanceConfig;
}

/**
 * The AWS-managed detective controls in the audit account, one stack per governed Region
 * (docs/adr/0026-aws-managed-detective-controls.md). The management stack has made this account Security Hub CSPM's
 * and AWS Config's delegated administrator. Here: in the home Region, Security Hub's central configuration with the
 * AI Security Best Practices standard on the baseline's target OUs (DET-SH-1, `detective.securityHub`); in every
 * governed Region, the governance conformance pack for Amazon Bedrock as an organization conformance pack
 * (DET-CFG-1, `detective.configConformance`), left out of the accounts the baseline's recorder does not reach.
 */
export class DetectiveControlsStack extends Stack {
  public readonly securityHub?: SecurityHubCentralConfiguration;
  public readonly conformancePack?: BedrockConformancePack;

  constructor(scope: Construct, id: string, props: DetectiveControlsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const region = concreteRegion(this);
    const home = config.organization.homeRegion;
    const targets = config.baseline.targetOrganizationalUnits ?? config.organization.workloadOrganizationalUnits;
    if (config.detective.securityHub.enabled && region === home) {
      const ouIds = new Map(config.organizationalUnits.map((o) => [o.path, o.id]));
      this.securityHub = new SecurityHubCentralConfiguration(this, 'SecurityHub', {
        homeRegion: home,
        linkedRegions: config.organization.governedRegions.filter((r) => r !== home),
        organizationalUnitIds: targets.map((p) => ouIds.get(p)!),
      });
    }
    if (config.detective.configConformance.enabled) {
      const recorded = new Set(baselineAccounts(config).map((a) => a.id));
      this.conformancePack = new BedrockConformancePack(this, 'ConformancePack', {
        region,
        excludedAccounts: config.accounts.map((a) => a.id).filter((account) => !recorded.has(account)),
      });
    }
  }
}
