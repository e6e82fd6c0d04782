import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type CfnEventBus, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DailyVerification } from './daily-verification';
import { TopicKey } from '../../building-blocks/kms/topic-key';
import type { GovernanceConfig } from '../../config/schema';
import { ALERT_BUS_NAME, ALERT_FORWARDING_ROLE_PREFIX, governanceAlarmPattern, MACIE_FINDING_PATTERN } from '../../contracts/alert-bus';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { AlertEventMetrics } from '../observability/alert-event-metrics';

export interface AuditAlertsStackProps extends StackProps {
  /** The governance configuration. */
  readonly config: GovernanceConfig;
}

/**
 * The audit account's end of BL-MON-1, in the home Region: the event bus `genai-governance-alerts` that every member
 * account × governed Region forwards its governance alarms' state changes to (only the organization's
 * `genai-governance-alert-forwarding-*` roles may put events), an archive of what arrives, and a rule that publishes
 * every change into ALARM to the KMS-encrypted topic `genai-governance-baseline-alerts` for the security team to
 * subscribe to. MAC-1's Macie findings, forwarded to the bus from every governed Region, go to the same topic, and
 * so do the alarms of VER-1's daily verification, which runs here.
 */
export class AuditAlertsStack extends Stack {
  public readonly bus: EventBus;
  public readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AuditAlertsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.bus = new EventBus(this, 'Bus', { eventBusName: ALERT_BUS_NAME, description: 'BL-MON-1: governance alarm state changes of every member account and Region' });
    // Set on the bus itself: EventBus.addToResourcePolicy would write a CfnEventBusPolicy with a deprecated property.
    (this.bus.node.defaultChild as CfnEventBus).policy = {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'MemberAlertForwarding',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: `arn:${this.partition}:events:${this.region}:${this.account}:event-bus/${ALERT_BUS_NAME}`,
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': config.organization.id },
          ArnLike: { 'aws:PrincipalArn': `arn:${this.partition}:iam::*:role/${ALERT_FORWARDING_ROLE_PREFIX}*` },
        },
      }],
    };
    this.bus.archive('Archive', {
      archiveName: `${GOVERNANCE_NAME_PREFIX}alerts`,
      description: 'Every governance alarm state change the members forwarded, and every Macie finding',
      eventPattern: { source: ['aws.cloudwatch', 'aws.macie'] },
      retention: Duration.days(config.retention.logGroupRetentionDays),
    });

    const key = new TopicKey(this, 'TopicKey', {
      description: 'Generative-AI governance: encrypts the audit account\'s baseline alert topic',
      publisher: new ServicePrincipal('events.amazonaws.com'),
    });
    this.topic = new Topic(this, 'Topic', { topicName: `${GOVERNANCE_NAME_PREFIX}baseline-alerts`, masterKey: key, enforceSSL: true });
    new Rule(this, 'ToTopic', {
      eventBus: this.bus,
      ruleName: `${GOVERNANCE_NAME_PREFIX}baseline-alarms`,
      description: 'BL-MON-1: member governance alarms that went into ALARM',
      eventPattern: governanceAlarmPattern(['ALARM']),
      targets: [new SnsTopic(this.topic)],
    });

    // MAC-1: the Macie findings every governed Region forwards here (GovernanceMacie-<region>), the members' included,
    // published to the same topic.
    new Rule(this, 'MacieFindings', {
      eventBus: this.bus,
      ruleName: `${GOVERNANCE_NAME_PREFIX}macie-findings`,
      description: 'MAC-1: Macie findings of the organization (sensitive data in the evidence archives among them)',
      eventPattern: MACIE_FINDING_PATTERN,
      targets: [new SnsTopic(this.topic)],
    });
    // DASH-1: counts of what arrives here, as metrics for the governance-health dashboard and alarms.
    new AlertEventMetrics(this, 'AlertEventMetrics', { bus: this.bus, retention: config.retention.logGroupRetentionDays });
    // VER-1: the daily live verification, its reports into the archive and its alarms to the same topic.
    new DailyVerification(this, 'DailyVerification', { config, alertTopic: this.topic, alertTopicKey: key });
  }
}
