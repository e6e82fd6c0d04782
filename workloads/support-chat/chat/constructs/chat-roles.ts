import { CfnRole, Effect, ArnPrincipal, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import { CONNECTION_INDEX_LEADING_KEYS } from '../handlers/lib/connection-index';
import { RELAY_RATE_LEADING_KEYS } from '../handlers/lib/conversation-keys';
import { CONVERSATION_ACTIONS } from '../handlers/lib/session-policy';

/** Properties of `ChatRoles`. */
export interface ChatRolesProps {
  /** Prefix of the roles' and policies' names (the tenant's, `support-chat`); each name ends in `-<region>`. */
  readonly namePrefix: string;
  /** The stack's Region: IAM names are global to the account, and the tenant has a stack per Region. */
  readonly region: string;
  /** The key of the conversation table: the data role and the turn use it through DynamoDB only. */
  readonly key: IKey;
  /** The conversation table. */
  readonly tableArn: string;
  /** The workload contract's CRI-only invoke policies (a list CloudFormation reads from SSM). */
  readonly invokePolicyArns: string[];
  /** The workload contract's guardrail and its numeric version: every Bedrock call must name both. */
  readonly guardrailArn: string;
  readonly guardrailVersion: string;
  /**
   * Models the turn invokes without the guardrail: the knowledge base's rerank model, which `Rerank` calls with the
   * turn's own credentials and which takes no guardrail (it scores passages, it writes no text).
   *
   * @default - none: every InvokeModel names the guardrail
   */
  readonly modelsWithoutGuardrail?: string[];
  /**
   * The tenant's application inference profiles (ADR 35): the only application profiles the turn may call. The
   * contract's invoke policies allow every application profile of the account; the turn's policy denies the others.
   *
   * @default - none: the turn may call no application profile
   */
  readonly applicationProfileArns?: string[];
}

/**
 * The chat path's roles, each with one managed policy of its own: the turn's (Bedrock through the contract's invoke
 * policies and only with the contract's guardrail, the tenant's counter, assuming the data role, its VPC network
 * interfaces), the conversation-data role the turn assumes with a session policy for one user (`dynamodb:LeadingKeys`),
 * the relay's (the rate items of the conversation table, `RATE#` partitions only; its function and API add invoking
 * the turn and posting to and closing connections) and the authorizer's (its function adds its own log streams).
 *
 * Not a construct of its own: it adds its resources to `scope` under the ids the tenant's deployed templates have
 * (`TurnRole`, `TurnPolicy`, `ConversationDataRole`, `ConversationDataPolicy`, `RelayRole`, `RelayPolicy`,
 * `AuthorizerRole`, `AuthorizerPolicy`), so their logical ids do not change.
 */
export class ChatRoles {
  public readonly turnRole: Role;
  public readonly turnPolicy: ManagedPolicy;
  /** Assumed by the turn with a session policy for one user (`conversationSessionPolicy`). */
  public readonly dataRole: Role;
  public readonly relayRole: Role;
  public readonly relayPolicy: ManagedPolicy;
  public readonly authorizerRole: Role;
  public readonly authorizerPolicy: ManagedPolicy;

  constructor(scope: Construct, props: ChatRolesProps) {
    const name = (what: string) => `${props.namePrefix}-${what}-${props.region}`;
    const lambdaPrincipal = new ServicePrincipal('lambda.amazonaws.com');
    this.turnRole = new Role(scope, 'TurnRole', { roleName: name('turn'), assumedBy: lambdaPrincipal });
    // The contract's CRI-only invoke policies, as many as the baseline wrote (a list CloudFormation reads from SSM).
    (this.turnRole.node.defaultChild as CfnRole).managedPolicyArns = props.invokePolicyArns;
    this.dataRole = new Role(scope, 'ConversationDataRole', {
      roleName: name('conversation-data'),
      assumedBy: new ArnPrincipal(this.turnRole.roleArn),
      description: 'Assumed by the turn function with a session policy for one user (dynamodb:LeadingKeys)',
    });
    const throughDynamoDb = new PolicyStatement({
      sid: 'TableKeyThroughDynamoDb',
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [props.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${props.region}.amazonaws.com` } },
    });
    new ManagedPolicy(scope, 'ConversationDataPolicy', {
      managedPolicyName: name('conversation-data'),
      roles: [this.dataRole],
      statements: [new PolicyStatement({ sid: 'ConversationTable', actions: [...CONVERSATION_ACTIONS], resources: [props.tableArn] }), throughDynamoDb],
    });
    this.turnPolicy = new ManagedPolicy(scope, 'TurnPolicy', {
      managedPolicyName: name('turn'),
      roles: [this.turnRole],
      statements: [
        new PolicyStatement({ sid: 'OneUsersSession', actions: ['sts:AssumeRole'], resources: [this.dataRole.roleArn] }),
        // AWS's pattern for enforcing a guardrail (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html):
        // a call without the contract's guardrail at its numeric version is denied, whatever else allows it.
        new PolicyStatement({
          sid: 'EveryCallWithTheGuardrail',
          effect: Effect.DENY,
          actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          ...(props.modelsWithoutGuardrail?.length ? { notResources: props.modelsWithoutGuardrail } : { resources: ['*'] }),
          conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': `${props.guardrailArn}:${props.guardrailVersion}` } },
        }),
        // Of the account's application profiles, the tenant's own only (ADR 35): any other resource the invoke actions
        // authorize against (another tenant's application profile, a provisioned or imported model…) is denied.
        new PolicyStatement({
          sid: 'OnlyTheTenantsApplicationProfiles',
          effect: Effect.DENY,
          actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          notResources: [...(props.applicationProfileArns ?? []), 'arn:aws:bedrock:*::foundation-model/*', 'arn:aws:bedrock:*:*:inference-profile/*'],
        }),
        // The redaction before storage (ADR 36) calls ApplyGuardrail itself: the contract's guardrail, and no other one
        // (the baseline's invoke policies allow every guardrail of the guardrail account).
        new PolicyStatement({ sid: 'ApplyTheContractGuardrail', actions: ['bedrock:ApplyGuardrail'], resources: [props.guardrailArn] }),
        new PolicyStatement({ sid: 'NoOtherGuardrail', effect: Effect.DENY, actions: ['bedrock:ApplyGuardrail'], notResources: [props.guardrailArn] }),
        new PolicyStatement({
          sid: 'TenantCounterOnly',
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [props.tableArn],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TENANT'] } },
        }),
        throughDynamoDb,
        new PolicyStatement({
          sid: 'NetworkInterfacesOfTheVpcFunction',
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeFinding(this.turnPolicy, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'Lambda creates and deletes the function\'s network interfaces in the VPC; EC2 authorizes these network-interface actions only on * (what AWSLambdaVPCAccessExecutionRole grants)',
    });
    acknowledgeFinding(this.turnRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4',
      reason: 'Its managed policies are the workload contract\'s CRI-only invoke policies (customer-managed, BL-IAM-1), a list CloudFormation reads from SSM at deploy, so the rule cannot read them at synth',
    });

    this.relayRole = new Role(scope, 'RelayRole', { roleName: name('relay'), assumedBy: lambdaPrincipal });
    this.authorizerRole = new Role(scope, 'AuthorizerRole', { roleName: name('authorizer'), assumedBy: lambdaPrincipal });
    this.authorizerPolicy = new ManagedPolicy(scope, 'AuthorizerPolicy', { managedPolicyName: name('authorizer'), roles: [this.authorizerRole] });
    // The relay counts each user's messages of the minute before the turn: one UpdateItem on partitions that begin with
    // RATE# (relayRateKey), never a user's conversation partition (USER#); and keeps the connection index (CONN#).
    this.relayPolicy = new ManagedPolicy(scope, 'RelayPolicy', {
      managedPolicyName: name('relay'),
      roles: [this.relayRole],
      statements: [
        new PolicyStatement({
          sid: 'RateItemsOnly',
          actions: ['dynamodb:UpdateItem'],
          resources: [props.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [RELAY_RATE_LEADING_KEYS] } },
        }),
        // The connection index of handed-off conversations (connection-index.ts): which connections are the customer's
        // and the joined agents', and the open hand-offs (an agent's rejoin reads those it joined with BatchGetItem);
        // partitions that begin with CONN# only, never a conversation.
        new PolicyStatement({
          sid: 'ConnectionIndexOnly',
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
          resources: [props.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [CONNECTION_INDEX_LEADING_KEYS] } },
        }),
        throughDynamoDb,
      ],
    });
  }
}
