import { LocalJwtIssuer } from '../../../../emulators/token-issuer/jwt-issuer';

/**
 * Starts a local Cognito-style issuer for the enclosing file or block and configures the authorizer's exported handler
 * for it as the stack does (`USER_POOL_ID`, `CLIENT_ID`, `TOKEN_USE`, and locally `JWKS_URL`: its JWKS over HTTP); hands
 * the issuer to `use` once started, and afterwards closes it and restores the environment.
 */
export function useAuthorizerIssuer(tokenUse: 'id' | 'access', use: (issuer: LocalJwtIssuer) => void): void {
  const savedEnv = { ...process.env };
  let issuer: LocalJwtIssuer | undefined;
  beforeAll(async () => {
    issuer = await LocalJwtIssuer.start({ region: 'eu-west-1', userPoolId: 'eu-west-1_ChatPool1' });
    process.env.USER_POOL_ID = issuer.userPoolId;
    process.env.CLIENT_ID = issuer.clientId;
    process.env.TOKEN_USE = tokenUse;
    process.env.JWKS_URL = issuer.jwksUrl;
    use(issuer);
  });
  afterAll(async () => {
    process.env = savedEnv;
    await issuer?.close();
  });
}
