import { App } from 'aws-cdk-lib';
import type { GovernanceConfig } from '../../config/schema';
import { checkSemantics } from '../../config/semantics';
import { GOVERNANCE_TAG_KEY } from '../../contracts/governance-names';
import { guardrailExcludedModels } from '../../policies/br-gr-1';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate, STACK_RECIPES } from '../../stacks/estate';
import { synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

function accountMode(): GovernanceConfig {
  const config = exampleConfig();
  return { ...config, bedrock: { ...config.bedrock, guardrail: { ...config.bedrock.guardrail, enforcement: 'account' } } };
}

describe('BL-GR-1: account-level guardrail enforcement (bedrock.guardrail.enforcement: account)', () => {
  const config = accountMode();
  const { built: baseline, synthesized } = synthVariant((app) => STACK_RECIPES.baseline(app, config));
  const regional = synthesized(baseline.regional).template;
  const resources = regional.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const idOf = (type: string) => Object.entries(resources).find(([, r]) => r.Type === type)![0];

  test('is a valid config', () => {
    expect(checkSemantics(config)).toEqual([]);
  });

  test('every member account × Region gets the guardrail, a numeric version and the enforced configuration of that version', () => {
    const guardrail = idOf('AWS::Bedrock::Guardrail');
    const version = idOf('AWS::Bedrock::GuardrailVersion');
    expect(resources[guardrail].Properties).toMatchObject({
      Name: config.bedrock.guardrail.name,
      BlockedInputMessaging: config.bedrock.guardrail.blockedInputMessaging,
    });
    expect(resources[version].Properties.GuardrailIdentifier).toEqual({ 'Fn::GetAtt': [guardrail, 'GuardrailId'] });
    expect(resources[idOf('AWS::Bedrock::EnforcedGuardrailConfiguration')].Properties).toEqual({
      GuardrailIdentifier: { 'Fn::GetAtt': [guardrail, 'GuardrailArn'] },
      GuardrailVersion: { 'Fn::GetAtt': [version, 'Version'] },
      ModelEnforcement: { IncludedModels: ['ALL'], ExcludedModels: guardrailExcludedModels(config) },
      SelectiveContentGuarding: { System: 'COMPREHENSIVE', Messages: 'COMPREHENSIVE' },
    });
    expect(guardrailExcludedModels(config)).toEqual(['amazon.titan-embed-text-v2:0', 'cohere.rerank-v3-5:0']);
  });

  test('a change of guardrail content creates a new version resource', () => {
    const changed = accountMode();
    const withWord = { ...changed, bedrock: { ...changed.bedrock, guardrail: { ...changed.bedrock.guardrail, words: [...changed.bedrock.guardrail.words, 'project-x'] } } };
    const { built, synthesized: synthesizedChange } = synthVariant((app) => STACK_RECIPES.baseline(app, withWord));
    const changedVersion = Object.keys(synthesizedChange(built.regional).template.findResources('AWS::Bedrock::GuardrailVersion'));
    expect(changedVersion).toHaveLength(1);
    expect(changedVersion).not.toEqual([idOf('AWS::Bedrock::GuardrailVersion')]);
  });

  test('the guardrail carries the tag the tamper-protection SCPs key on', () => {
    expect(resources[idOf('AWS::Bedrock::Guardrail')].Properties.Tags).toEqual(expect.arrayContaining([{ Key: GOVERNANCE_TAG_KEY, Value: 'true' }]));
  });

  test('no Organizations Bedrock policy and no management-account guardrail stacks are written', () => {
    // The composition alone decides which stacks exist: built, not synthesized.
    expect(buildEstate(new App({ context: { ...APP_CONTEXT } }), config).guardrails).toEqual([]);
  });

  test('workload roles and the runtime endpoint may apply the account\'s own guardrail', () => {
    const global = JSON.stringify(synthesized(baseline.global).template.toJSON());
    expect(global).toContain('":guardrail/*"');
    expect(global).not.toContain(':318274650913:guardrail/');
    const endpointPolicies = JSON.stringify(regional.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpointPolicies).not.toContain(':318274650913:guardrail/');
  });
});

describe('BL-GR-1 is absent with organization-policy enforcement', () => {
  test('the member template has no guardrail resources; the management account has one guardrail stack per Region', () => {
    const config = exampleConfig();
    const estate = exampleEstate();
    const regional = estate.baseline.regional.template;
    regional.resourceCountIs('AWS::Bedrock::EnforcedGuardrailConfiguration', 0);
    regional.resourceCountIs('AWS::Bedrock::Guardrail', 0);
    expect(estate.guardrails).toHaveLength(config.organization.governedRegions.length);
  });
});
