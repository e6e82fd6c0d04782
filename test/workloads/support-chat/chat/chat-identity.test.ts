import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChatIdentity } from '../../../../workloads/support-chat/chat/constructs/chat-identity';
import { exampleEstate } from '../../../support/example-estate';

/* The tenant's user pool: who may create an account in it. */

describe('the chat\'s user pool', () => {
  test('self sign-up is off: only an administrator creates users (AllowAdminCreateUserOnly)', () => {
    const stack = new Stack(undefined, 'Identity', { env: { account: '123456789012', region: 'eu-central-1' } });
    new ChatIdentity(stack, 'Identity');
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
  });

  test('so in every stack of the example estate', () => {
    const pools = exampleEstate().supportChat.flatMap((s) => Object.values(s.template.findResources('AWS::Cognito::UserPool')));
    expect(pools.length).toBeGreaterThan(0);
    for (const pool of pools) expect(pool.Properties.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
  });
});
