import { Duration, Stack } from 'aws-cdk-lib';
import {
  Application, ConfigurationContent, ConfigurationType, DeploymentStrategy, Environment, HostedConfiguration, JsonSchemaValidator, Monitor,
  RolloutStrategy,
} from 'aws-cdk-lib/aws-appconfig';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { parseChatSettings, settingsJsonSchema, type ChatSettings } from '../handlers/lib/chat-settings';

/** AppConfig's limit on a validator's content (AWS::AppConfig::ConfigurationProfile Validators, Content: at most 32,768). */
export const VALIDATOR_CONTENT_LIMIT = 32_768;

/** Properties of `ChatSettingsConfig`. */
export interface ChatSettingsConfigProps {
  /** The profiles a version may name: the approved ones callable from the Region (`tenantAllowedProfiles`). */
  readonly allowedProfiles: readonly string[];
  /** The first hosted version (`defaultChatSettings` of the config's models). */
  readonly initial: ChatSettings;
  /** Alarms that roll a deployment back while it rolls out or bakes. */
  readonly rollbackAlarms: readonly IAlarm[];
  /** The name of the role AppConfig reads the alarms' state with (and of its policy). */
  readonly monitorRoleName: string;
  /**
   * How a new version reaches the turn functions.
   *
   * @default linear: 20 % of the functions' sessions every 2 minutes over 10 minutes, then 10 minutes of bake time
   */
  readonly rollout?: RolloutStrategy;
}

/**
 * The tenant's settings in AWS AppConfig: an application with one environment (`live`) whose monitors are the tenant's
 * alarms, a free-form hosted configuration profile whose JSON Schema validator (`settingsJsonSchema`) names the only
 * profiles a version may use, the first version (`initial`, checked at synth like the handler checks what it reads), and
 * a gradual deployment strategy: a version that sets off an alarm while it rolls out or bakes is rolled back by AppConfig.
 * `grantRead` gives the turn's role the data-plane calls on this configuration only.
 */
export class ChatSettingsConfig extends Construct {
  public readonly application: Application;
  public readonly environment: Environment;
  public readonly configuration: HostedConfiguration;
  public readonly deploymentStrategy: DeploymentStrategy;
  /** The role AppConfig assumes to read the rollback alarms' state: `cloudwatch:DescribeAlarms` on those alarms only. */
  public readonly monitorRole: Role;

  constructor(scope: Construct, id: string, props: ChatSettingsConfigProps) {
    super(scope, id);
    const checked = parseChatSettings(props.initial, props.allowedProfiles);
    if (!checked.ok) throw new Error(`${this.node.path}: the first settings version is invalid: ${checked.problems.join('; ')}`);
    const schema = JSON.stringify(settingsJsonSchema(props.allowedProfiles));
    if (schema.length > VALIDATOR_CONTENT_LIMIT * 0.8) {
      throw new Error(`${this.node.path}: the settings validator is ${schema.length} characters, over 80 % of AppConfig's ${VALIDATOR_CONTENT_LIMIT}`);
    }
    if (props.rollbackAlarms.length === 0) throw new Error(`${this.node.path}: a deployment needs at least one rollback alarm`);

    this.application = new Application(this, 'Application', {
      applicationName: 'support-chat',
      description: 'Support chat: routing, prompts, flags and budgets of the turn function',
    });
    this.monitorRole = new Role(this, 'MonitorRole', {
      roleName: props.monitorRoleName,
      assumedBy: new ServicePrincipal('appconfig.amazonaws.com'),
      description: 'AppConfig reads the support-chat alarms that roll a settings deployment back',
    });
    new ManagedPolicy(this, 'MonitorPolicy', {
      managedPolicyName: props.monitorRoleName,
      roles: [this.monitorRole],
      statements: [new PolicyStatement({
        sid: 'TheRollbackAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: props.rollbackAlarms.map((alarm) => alarm.alarmArn),
      })],
    });
    this.environment = new Environment(this, 'Live', {
      application: this.application,
      environmentName: 'live',
      description: 'The deployed support-chat tenant; a deployment rolls back when a monitor alarms',
      monitors: props.rollbackAlarms.map((alarm) => Monitor.fromCloudWatchAlarm(alarm, this.monitorRole)),
    });
    this.deploymentStrategy = new DeploymentStrategy(this, 'Gradual', {
      deploymentStrategyName: `support-chat-gradual-${Stack.of(this).region}`,
      description: 'Support chat: a new settings version reaches the turn functions gradually and bakes under the tenant\'s alarms',
      rolloutStrategy: props.rollout ?? RolloutStrategy.linear({
        growthFactor: 20,
        deploymentDuration: Duration.minutes(10),
        finalBakeTime: Duration.minutes(10),
      }),
    });
    this.configuration = new HostedConfiguration(this, 'Settings', {
      application: this.application,
      name: 'settings',
      description: 'Support chat settings (schema version 1); the validator admits only the approved profiles of the Region',
      type: ConfigurationType.FREEFORM,
      content: ConfigurationContent.fromInlineJson(JSON.stringify(props.initial, undefined, 2)),
      validators: [JsonSchemaValidator.fromInline(schema)],
      deploymentStrategy: this.deploymentStrategy,
      deployTo: [this.environment],
    });
  }

  /** The ARN of the configuration the turn reads (the data plane's resource). */
  public get configurationArn(): string {
    return Stack.of(this).formatArn({
      service: 'appconfig',
      resource: 'application',
      resourceName: `${this.application.applicationId}/environment/${this.environment.environmentId}/configuration/${this.configuration.configurationProfileId}`,
    });
  }

  /** The statement that lets a role read the deployed settings (and nothing else of AppConfig). */
  public readStatement(): PolicyStatement {
    return new PolicyStatement({
      sid: 'ReadTheSettings',
      actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      resources: [this.configurationArn],
    });
  }
}
