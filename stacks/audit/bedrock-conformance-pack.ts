import { CfnOrganizationConformancePack } from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import { CONFORMANCE_PACK_NAME, conformancePackRulesIn, type ConformancePackRule } from '../../contracts/detective-controls';

/** Properties of `BedrockConformancePack`. */
export interface BedrockConformancePackProps {
  /** The Region the pack is deployed in: only the rules AWS offers there go in. */
  readonly region: string;
  /** Accounts of the organization the pack leaves out: those without the baseline's recorder. */
  readonly excludedAccounts: readonly string[];
}

/** A rule as an `AWS::Config::ConfigRule` of the pack's template (logical ids from the rule's name). */
function ruleResource(rule: ConformancePackRule): [string, unknown] {
  const logicalId = rule.name.split(/[^A-Za-z0-9]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  const source = 'managed' in rule.source
    ? { Owner: 'AWS', SourceIdentifier: rule.source.managed }
    : {
      Owner: 'CUSTOM_POLICY',
      SourceDetails: [{ EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' }],
      CustomPolicyDetails: { PolicyRuntime: 'guard-2.x.x', PolicyText: rule.source.guard },
    };
  return [logicalId, {
    Type: 'AWS::Config::ConfigRule',
    Properties: { ConfigRuleName: rule.name, Description: rule.description, Source: source, Scope: { ComplianceResourceTypes: [rule.resourceType] } },
  }];
}

/** The pack's template for a Region, as the JSON text `TemplateBody` takes (at most 51,200 bytes). */
export function conformancePackTemplate(region: string): string {
  return JSON.stringify({ Resources: Object.fromEntries(conformancePackRulesIn(region).map(ruleResource)) });
}

/**
 * DET-CFG-1 in the audit account (AWS Config's delegated administrator for organization conformance packs), one per
 * governed Region: the governance conformance pack `genai-governance-bedrock`
 * (contracts/detective-controls.ts), deployed by Config to every account of the organization but the excluded ones,
 * and to accounts that join later. A Region where AWS offers none of the rules gets no pack (`pack` undefined).
 */
export class BedrockConformancePack extends Construct {
  public readonly pack?: CfnOrganizationConformancePack;

  constructor(scope: Construct, id: string, props: BedrockConformancePackProps) {
    super(scope, id);
    if (conformancePackRulesIn(props.region).length === 0) return;
    const templateBody = conformancePackTemplate(props.region);
    if (Buffer.byteLength(templateBody) > 51_200) throw new Error(`the conformance pack's template is ${Buffer.byteLength(templateBody)} bytes, over TemplateBody's 51,200`);
    this.pack = new CfnOrganizationConformancePack(this, 'Resource', {
      organizationConformancePackName: CONFORMANCE_PACK_NAME,
      templateBody,
      excludedAccounts: props.excludedAccounts.length > 0 ? [...props.excludedAccounts] : undefined,
    });
  }
}
