import { Aws } from 'aws-cdk-lib';
import { CfnEnforcedGuardrailConfiguration, CfnGuardrail, CfnGuardrailVersion, type CfnGuardrailProps } from 'aws-cdk-lib/aws-bedrock';
import { Construct } from 'constructs';
import { guardrailContentHash } from '../../building-blocks/guardrail/guardrail-properties';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';

/**
 * The account that owns the guardrail workloads must be allowed to apply: the management account with
 * `enforcement: organization-policy` (BR-GR-1), the member account itself with `enforcement: account` (BL-GR-1).
 * A token (`AWS::AccountId`) in the second case, since member templates are the same for every account.
 */
export function guardrailOwner(config: GovernanceConfig): string {
  return config.bedrock.guardrail.enforcement === 'account' ? Aws.ACCOUNT_ID : accountIdOf(config, config.topology.management);
}

export interface AccountGuardrailProps {
  /** The guardrail's content (filters, topics, PII, words, grounding) and name: the organization guardrail's. */
  readonly content: CfnGuardrailProps;
  /** Models enforcement leaves out (embedding and rerank models, which a guardrail cannot check). */
  readonly excludedModels: readonly string[];
}

/**
 * BL-GR-1 (`bedrock.guardrail.enforcement: account`): in this account and Region, the guardrail from config, a
 * numeric version of it (a new one whenever the content changes) and `AWS::Bedrock::EnforcedGuardrailConfiguration`,
 * which makes Bedrock apply that version to every invocation of every model but the embedding and rerank exceptions,
 * on system prompts and messages alike (callers cannot skip parts with input tags). Same content and exclusions as
 * the organization policy of BR-GR-1.
 */
export class AccountGuardrail extends Construct {
  public readonly guardrail: CfnGuardrail;
  public readonly version: CfnGuardrailVersion;
  public readonly enforcement: CfnEnforcedGuardrailConfiguration;

  constructor(scope: Construct, id: string, props: AccountGuardrailProps) {
    super(scope, id);
    const content = props.content;
    this.guardrail = new CfnGuardrail(this, 'Guardrail', {
      ...content,
      description: 'Account guardrail of the generative-AI governance control plane (BL-GR-1), enforced on every invocation',
    });
    const contentHash = guardrailContentHash(content);
    this.version = new CfnGuardrailVersion(this, `Version${contentHash}`, {
      guardrailIdentifier: this.guardrail.attrGuardrailId,
      description: `Content ${contentHash}`,
    });
    this.enforcement = new CfnEnforcedGuardrailConfiguration(this, 'Enforcement', {
      guardrailIdentifier: this.guardrail.attrGuardrailArn,
      guardrailVersion: this.version.attrVersion,
      modelEnforcement: { includedModels: ['ALL'], excludedModels: [...props.excludedModels] },
      selectiveContentGuarding: { system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE' },
    });
  }
}
