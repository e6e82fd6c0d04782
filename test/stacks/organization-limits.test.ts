import { App } from 'aws-cdk-lib';
import { OrganizationGuardrailStack } from '../../stacks/management/organization-guardrail-stack';
import { exampleConfig } from '../support/example-config';

describe('organization.limits reach the stacks: the Bedrock policy is checked against the configured limit', () => {
  const guardrailStack = (bedrockPolicyCharacters: number) => {
    const config = structuredClone(exampleConfig());
    // Below the schema's minimum on purpose: the stack must take the figure it is given, not a constant of its own.
    config.organization.limits = { ...config.organization.limits, bedrockPolicyCharacters };
    return () => new OrganizationGuardrailStack(new App(), 'Guardrail', { config, env: { account: '318274650913', region: 'eu-central-1' } });
  };

  test('a policy over the configured limit fails synth, naming the key', () => {
    expect(guardrailStack(400)).toThrow(/The Bedrock policy for eu-central-1 is 422 characters; the limit is 400 \(organization\.limits\.bedrockPolicyCharacters\)/);
  });

  test('a policy within it synthesizes', () => {
    expect(guardrailStack(422)().bedrockPolicyCharacters).toBe(422);
  });
});
