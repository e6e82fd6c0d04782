import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import {
  AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, ProviderAttribute, StandardThreatProtectionMode, UserPool, UserPoolClient,
  UserPoolClientIdentityProvider, UserPoolIdentityProviderOidc, UserPoolIdentityProviderSaml, UserPoolIdentityProviderSamlMetadata,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import type { GovernanceConfig } from '../../../../config/schema';

/** The groups the chat knows: customers ask, agents join conversations they are handed, admins run the tenant. */
export const CHAT_GROUPS = ['customer', 'agent', 'admin'] as const;

type IdentityProviderConfig = NonNullable<GovernanceConfig['workloads']['supportChat']>['identityProviders'][number];

/** Properties of `ChatIdentity`. */
export interface ChatIdentityProps {
  /** SAML or OIDC providers federated into the pool (`workloads.supportChat.identityProviders`). @default none */
  readonly identityProviders?: readonly IdentityProviderConfig[];
  /**
   * Visitors may create their own account (`workloads.supportChat.identity.selfSignUp`); which addresses may is the
   * pool's pre sign-up trigger's to decide (`ChatSelfSignUp`).
   *
   * @default false - administrators create users, or federation signs them in
   */
  readonly selfSignUp?: boolean;
}

/**
 * The tenant's Cognito user pool: no self sign-up unless `selfSignUp` (administrators create users, or federation signs them in), verified e-mail, a strong password policy, optional TOTP
 * MFA with the Plus feature plan's threat protection (adaptive authentication asks for a second factor when a sign-in
 * looks risky, compromised credentials are blocked), the `customer`, `agent` and `admin` groups, federation from
 * config, and one public app client (no secret: the browser widget) whose id tokens the `$connect` authorizer verifies.
 */
export class ChatIdentity extends Construct {
  public readonly userPool: UserPool;
  public readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: ChatIdentityProps = {}) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      // By default nobody creates an account on their own: the tenant's administrators create users (and put them in
      // groups), or a federated provider signs them in. With self sign-up, the pool's triggers admit allowed domains only.
      selfSignUpEnabled: props.selfSignUp ?? false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeFinding(this.userPool, {
      id: 'AwsSolutions::AwsSolutions-COG2',
      reason: 'Customers of a web shop are not made to enrol a second factor to ask about an order: MFA is optional (TOTP), and the Plus plan\'s adaptive authentication requires it when a sign-in looks risky',
    });
    CHAT_GROUPS.forEach((group, i) => new CfnUserPoolGroup(this, `Group-${group}`, {
      userPoolId: this.userPool.userPoolId,
      groupName: group,
      precedence: CHAT_GROUPS.length - i,
      description: `Support chat: ${group}`,
    }));
    const providers = (props.identityProviders ?? []).map((p) => this.federate(p));
    this.client = this.userPool.addClient('WidgetClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO, ...providers.map((p) => UserPoolClientIdentityProvider.custom(p))],
    });
  }

  private federate(p: IdentityProviderConfig): string {
    if (p.type === 'OIDC') {
      new UserPoolIdentityProviderOidc(this, `Oidc-${p.name}`, {
        userPool: this.userPool,
        name: p.name,
        issuerUrl: p.issuerUrl,
        clientId: p.clientId,
        // A dynamic reference: CloudFormation reads the secret at deploy; the template never holds it.
        clientSecret: SecretValue.secretsManager(p.clientSecretName).unsafeUnwrap(),
        scopes: [...p.scopes],
        attributeMapping: { email: ProviderAttribute.other('email') },
      });
    } else {
      new UserPoolIdentityProviderSaml(this, `Saml-${p.name}`, {
        userPool: this.userPool,
        name: p.name,
        metadata: UserPoolIdentityProviderSamlMetadata.url(p.metadataUrl),
        attributeMapping: { email: ProviderAttribute.other('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress') },
      });
    }
    return p.name;
  }
}
