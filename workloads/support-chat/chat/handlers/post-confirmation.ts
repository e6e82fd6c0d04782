import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { allowedDomains, isAllowedEmail, type SignUpEnvironment } from './lib/sign-up-domain';

/*
 * The user pool's post confirmation trigger when self sign-up is on: a user who confirmed their own sign-up with an
 * address of an allowed domain is added to the `customer` group (AdminAddUserToGroup), which `$connect` requires.
 * Cognito invokes it on ConfirmSignUp, AdminConfirmSignUp and ConfirmForgotPassword, only for users who signed up
 * themselves (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-confirmation.html), and
 * waits for it; when it throws, the confirmation call answers with its error and the user is not in the group until an
 * administrator adds them. Adding a user to a group they are in succeeds, so a repeated call is harmless.
 *
 * The domain is checked again here, so only addresses of the allowed domains become customers this way, whatever
 * confirmed the user. A forgotten-password confirmation changes no group.
 */

/** The group a self-signed-up user joins. */
export const SIGN_UP_GROUP = 'customer';

const client = new CognitoIdentityProviderClient({});

export async function handler(event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> {
  return postConfirmation(event, allowedDomains(process.env as Partial<SignUpEnvironment>), client);
}

/** Adds the confirmed user to `SIGN_UP_GROUP` when they signed up with an allowed address; returns the event. */
export async function postConfirmation(
  event: PostConfirmationTriggerEvent, domains: readonly string[], cognito: CognitoIdentityProviderClient,
): Promise<PostConfirmationTriggerEvent> {
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
  if (!isAllowedEmail(event.request.userAttributes.email, domains)) return event;
  await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: event.userPoolId, Username: event.userName, GroupName: SIGN_UP_GROUP }));
  return event;
}
