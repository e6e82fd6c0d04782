import { Aws } from 'aws-cdk-lib';
import { type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface EventForwardingProps {
  /** The event bus the events go to (another account, another Region, or both). */
  readonly busArn: string;
  /** Name of the forwarding role and of its managed policy (fixed, so tamper protection can name them). */
  readonly roleName: string;
  /** Description of the forwarding role: which control it serves and what it forwards. */
  readonly roleDescription: string;
  /** Name of the rule on this account's default bus. */
  readonly ruleName: string;
  /** Description of the rule. */
  readonly ruleDescription: string;
  /** The events to forward, as they appear on this account's default bus. */
  readonly eventPattern: EventPattern;
}

/**
 * An EventBridge rule on the default bus that forwards matching events to another event bus, with a role only
 * EventBridge of this account may assume and that may put events on that bus only (a managed policy; the target is
 * plain, because aws-events-targets' EventBus would also write an inline grant).
 */
export class EventForwarding extends Construct {
  public readonly rule: Rule;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: EventForwardingProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      description: props.roleDescription,
      assumedBy: new ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    new ManagedPolicy(this, 'Policy', {
      managedPolicyName: props.roleName,
      roles: [this.role],
      statements: [new PolicyStatement({ sid: 'PutOnAuditAlertBus', actions: ['events:PutEvents'], resources: [props.busArn] })],
    });
    this.rule = new Rule(this, 'Rule', { ruleName: props.ruleName, description: props.ruleDescription, eventPattern: props.eventPattern });
    this.rule.addTarget({ bind: () => ({ arn: props.busArn, role: this.role }) });
  }
}
