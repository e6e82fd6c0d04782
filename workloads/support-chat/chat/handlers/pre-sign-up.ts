import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { allowedDomains, isAllowedEmail, type SignUpEnvironment } from './lib/sign-up-domain';

/*
 * The user pool's pre sign-up trigger when self sign-up is on (`workloads.supportChat.identity.selfSignUp`): a sign-up
 * whose e-mail address is not of an allowed domain is refused. Cognito fails the SignUp call with the thrown error's
 * message ("PreSignUp failed with error ..."), and creates no user
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html).
 *
 * Only `PreSignUp_SignUp` (a visitor's own sign-up) is checked: users the tenant's administrators create
 * (`PreSignUp_AdminCreateUser`) and users of the configured federated providers (`PreSignUp_ExternalProvider`) are
 * admitted as before. The trigger neither confirms the user nor verifies the address: the visitor still confirms with
 * the code Cognito sends to that address, which proves they receive mail there.
 */

/** The message of a refused sign-up (the visitor sees it). */
export const REFUSED = 'Sign-up is open to e-mail addresses of the allowed domains only';

export async function handler(event: PreSignUpTriggerEvent): Promise<PreSignUpTriggerEvent> {
  return preSignUp(event, allowedDomains(process.env as Partial<SignUpEnvironment>));
}

/** Returns the event unchanged when the sign-up may go on; throws `REFUSED` otherwise. */
export function preSignUp(event: PreSignUpTriggerEvent, domains: readonly string[]): PreSignUpTriggerEvent {
  if (event.triggerSource !== 'PreSignUp_SignUp') return event;
  if (!isAllowedEmail(event.request.userAttributes.email, domains)) throw new Error(REFUSED);
  return event;
}
