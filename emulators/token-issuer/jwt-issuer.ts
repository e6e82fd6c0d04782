import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JSON Web Key Set as Cognito serves it at `<issuer>/.well-known/jwks.json`. */
export interface LocalJwks {
  readonly keys: ReadonlyArray<{ kid: string; alg: 'RS256'; kty: string; use: 'sig'; n: string; e: string }>;
}

/** Properties of a `LocalJwtIssuer`. */
export interface LocalJwtIssuerProps {
  /**
   * Region of the user pool; part of the issuer `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`.
   *
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * The user pool id (`<region>_<id>`, the form `aws-jwt-verify` accepts).
   *
   * @default `<region>_LocalPool1`
   */
  readonly userPoolId?: string;
  /**
   * The app client id the tokens are minted for (the id token's `aud`, the access token's `client_id`).
   *
   * @default 26 random lowercase letters and digits, like Cognito's
   */
  readonly clientId?: string;
  /**
   * Lifetime of a minted token, in seconds (Cognito's default for id and access tokens is 1 hour).
   *
   * @default 3600
   */
  readonly tokenValiditySeconds?: number;
}

/** Who a token is for, and the overrides tests use to make it wrong in one way. */
export interface MintOptions {
  /** The user's `cognito:username` (id token) or `username` (access token). */
  readonly username: string;
  /**
   * The user's `sub`.
   *
   * @default a random UUID
   */
  readonly sub?: string;
  /**
   * The user's groups (`cognito:groups`); omitted from the token when empty, as Cognito does.
   *
   * @default []
   */
  readonly groups?: readonly string[];
  /**
   * The id token's `email`.
   *
   * @default `<username>@example.com`
   */
  readonly email?: string;
  /**
   * The access token's `scope`.
   *
   * @default 'aws.cognito.signin.user.admin'
   */
  readonly scope?: string;
  /**
   * Seconds until `exp`; zero or negative mints an already expired token.
   *
   * @default the issuer's `tokenValiditySeconds`
   */
  readonly expiresInSeconds?: number;
  /**
   * Another app client id (`aud` or `client_id`).
   *
   * @default the issuer's client id
   */
  readonly clientId?: string;
  /**
   * Another `iss`.
   *
   * @default the issuer's Cognito issuer URL
   */
  readonly issuer?: string;
  /**
   * `other`: sign with a second key that is not in the JWKS, under the same `kid` (the signature does not verify).
   *
   * @default 'issuer'
   */
  readonly signingKey?: 'issuer' | 'other';
  /**
   * Another `kid` in the header.
   *
   * @default the issuer key's kid
   */
  readonly kid?: string;
  /**
   * Claims merged over the minted ones (last word).
   *
   * @default {}
   */
  readonly claims?: Record<string, unknown>;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function randomClientId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(26), (b) => alphabet[b % alphabet.length]).join('');
}

function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/**
 * A local stand-in for a Cognito user pool's token endpoint: one RSA key pair (node:crypto), its JWKS served over HTTP at
 * `/<userPoolId>/.well-known/jwks.json` on 127.0.0.1 (the path Cognito serves under its issuer), and id and access tokens
 * signed RS256 with the claims Cognito puts in them, under the exact Cognito issuer
 * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` so that a verifier configured for that pool checks them with its
 * production code path. Claims as documented in "Understanding the identity (ID) token" and "Understanding the access token"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html).
 */
export class LocalJwtIssuer {
  /** Generates the key pair and starts the JWKS server on a free loopback port. */
  public static async start(props: LocalJwtIssuerProps = {}): Promise<LocalJwtIssuer> {
    const issuer = new LocalJwtIssuer(props);
    await new Promise<void>((resolve, reject) => {
      issuer.server.once('error', reject);
      issuer.server.listen(0, '127.0.0.1', () => resolve());
    });
    return issuer;
  }

  /** Region of the user pool. */
  public readonly region: string;
  /** The user pool id. */
  public readonly userPoolId: string;
  /** The app client id tokens are minted for. */
  public readonly clientId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, the `iss` of every token (unless overridden). */
  public readonly issuer: string;
  /** The key id of the signing key (the JWT header's `kid`, the JWK's `kid`). */
  public readonly kid: string;
  /** The public JWKS (what Cognito serves at `<issuer>/.well-known/jwks.json`). */
  public readonly jwks: LocalJwks;
  private readonly tokenValiditySeconds: number;
  private readonly key: KeyObject;
  private readonly otherKey: KeyObject;
  private readonly server: Server;

  private constructor(props: LocalJwtIssuerProps) {
    this.region = props.region ?? 'us-east-1';
    this.userPoolId = props.userPoolId ?? `${this.region}_LocalPool1`;
    this.clientId = props.clientId ?? randomClientId();
    this.issuer = `https://cognito-idp.${this.region}.amazonaws.com/${this.userPoolId}`;
    this.tokenValiditySeconds = props.tokenValiditySeconds ?? 3600;
    this.kid = base64url(randomBytes(32));
    const pair = rsaKeyPair();
    this.key = pair.privateKey;
    this.otherKey = rsaKeyPair().privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    this.jwks = { keys: [{ kid: this.kid, alg: 'RS256', kty: String(jwk.kty), use: 'sig', n: String(jwk.n), e: String(jwk.e) }] };
    const jwksPath = `/${this.userPoolId}/.well-known/jwks.json`;
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === jwksPath) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      }
    });
  }

  /** `http://127.0.0.1:<port>/<userPoolId>/.well-known/jwks.json`: the served JWKS. */
  public get jwksUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/${this.userPoolId}/.well-known/jwks.json`;
  }

  /** Mints an id token: `aud` = client id, `token_use: id`, `cognito:username`, `cognito:groups`, `email`. */
  public mintIdToken(options: MintOptions): string {
    return this.mint(options, {
      'aud': options.clientId ?? this.clientId,
      'token_use': 'id',
      'cognito:username': options.username,
      'email': options.email ?? `${options.username}@example.com`,
      'email_verified': true,
    });
  }

  /** Mints an access token: `client_id`, `token_use: access`, `username`, `scope`, `cognito:groups`. */
  public mintAccessToken(options: MintOptions): string {
    return this.mint(options, {
      client_id: options.clientId ?? this.clientId,
      token_use: 'access',
      username: options.username,
      scope: options.scope ?? 'aws.cognito.signin.user.admin',
    });
  }

  /** Stops the JWKS server. */
  public async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private mint(options: MintOptions, specific: Record<string, unknown>): string {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (options.expiresInSeconds ?? this.tokenValiditySeconds);
    // An expired token was issued one validity period before it expired.
    const issuedAt = Math.min(now, exp - this.tokenValiditySeconds);
    const groups = options.groups ?? [];
    const payload: Record<string, unknown> = {
      sub: options.sub ?? randomUUID(),
      ...(groups.length > 0 ? { 'cognito:groups': [...groups] } : {}),
      iss: options.issuer ?? this.issuer,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      ...specific,
      auth_time: issuedAt,
      iat: issuedAt,
      exp,
      jti: randomUUID(),
      ...options.claims,
    };
    const header = { kid: options.kid ?? this.kid, alg: 'RS256' };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const key = options.signingKey === 'other' ? this.otherKey : this.key;
    return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`;
  }
}
