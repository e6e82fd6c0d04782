import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { SCP_MAX_CHARACTERS, minify, policyDocument, type PolicyDocument, type PolicyStatement } from '../../policies/policy-document';

export interface ServiceControlPolicyProps {
  /** Policy name in Organizations; stable, because renaming replaces the policy. */
  readonly policyName: string;
  /** Shown in the Organizations console; say which controls the policy carries. */
  readonly description: string;
  /** The statements, as the control functions in `policies/` return them. */
  readonly statements: readonly PolicyStatement[];
  /** Roots, OUs or accounts the policy is attached to. */
  readonly targetIds: readonly string[];
}

/**
 * An `AWS::Organizations::Policy` of type `SERVICE_CONTROL_POLICY`. Throws at synth when the document
 * exceeds the Organizations limit of 5,120 characters, so an oversized policy never reaches a deployment.
 */
export class ServiceControlPolicy extends Construct {
  public readonly resource: CfnPolicy;
  /** The document as deployed. */
  public readonly document: PolicyDocument;
  /** Its minified JSON, whose length is what Organizations counts against the limit. */
  public readonly content: string;

  constructor(scope: Construct, id: string, props: ServiceControlPolicyProps) {
    super(scope, id);
    this.document = policyDocument(props.statements);
    this.content = minify(this.document);
    if (this.content.length > SCP_MAX_CHARACTERS) {
      throw new Error(`SCP ${props.policyName} is ${this.content.length} characters; Organizations accepts at most ${SCP_MAX_CHARACTERS}. Statements: ${props.statements.map((s) => s.Sid).join(', ')}`);
    }
    this.resource = new CfnPolicy(this, 'Resource', {
      name: props.policyName,
      description: props.description,
      type: 'SERVICE_CONTROL_POLICY',
      // An object: CloudFormation hands Organizations its compact JSON, the same text `content` measures.
      content: this.document,
      targetIds: [...props.targetIds],
    });
  }
}
