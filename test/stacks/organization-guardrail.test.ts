import { Match, type Template } from 'aws-cdk-lib/assertions';
import { STACK_RECIPES } from '../../stacks/estate';
import { MEASURED_CHARACTERS_METADATA } from '../../stacks/summary';
import { synthOne } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

describe('BR-GR-1: the organization guardrail and its enforcement (management account, per governed Region)', () => {
  const config = exampleConfig();
  const estate = exampleEstate();

  test('there is one guardrail stack per governed Region, in the management account', () => {
    expect(estate.guardrails.map((s) => [s.region, s.account])).toEqual(config.organization.governedRegions.map((r) => [r, '318274650913']));
  });

  describe.each(config.organization.governedRegions)('in %s', (region) => {
    const stack = estate.guardrails.find((s) => s.region === region)!;
    const template = stack.template;
    const resources = template.toJSON().Resources;
    const id = (type: string) => Object.keys(resources).find((k) => resources[k].Type === type)!;

    test('the guardrail carries the configured filters, topics, PII, words and grounding, and the governance tag', () => {
      template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        Name: 'org-baseline-guardrail',
        ContentPolicyConfig: { FiltersConfig: Match.arrayWith([{ Type: 'PROMPT_ATTACK', InputStrength: 'HIGH', OutputStrength: 'NONE' }]) },
        TopicPolicyConfig: { TopicsConfig: Match.arrayWith([Match.objectLike({ Name: 'Investment advice', Type: 'DENY' })]) },
        SensitiveInformationPolicyConfig: { PiiEntitiesConfig: Match.arrayWith([{ Type: 'AWS_SECRET_KEY', Action: 'BLOCK' }]) },
        WordPolicyConfig: { WordsConfig: [{ Text: 'internal-only' }, { Text: 'confidential-roadmap' }], ManagedWordListsConfig: [{ Type: 'PROFANITY' }] },
        ContextualGroundingPolicyConfig: { FiltersConfig: [{ Type: 'GROUNDING', Threshold: 0.75 }, { Type: 'RELEVANCE', Threshold: 0.5 }] },
        Tags: [{ Key: 'genai-governance:managed', Value: 'true' }],
      });
    });

    test('a numeric version of it is what the Bedrock policy names', () => {
      const policy = resources[id('AWS::Organizations::Policy')];
      expect(policy.Properties.Type).toBe('BEDROCK_POLICY');
      expect(policy.Properties.TargetIds).toEqual([config.organization.rootId]);
      const regionConfig = policy.Properties.Content.bedrock.guardrail_inference[region].config_1;
      expect(regionConfig.identifier['@@assign']).toEqual({
        'Fn::Join': [':', [{ 'Fn::GetAtt': [id('AWS::Bedrock::Guardrail'), 'GuardrailArn'] }, { 'Fn::GetAtt': [id('AWS::Bedrock::GuardrailVersion'), 'Version'] }]],
      });
      expect(regionConfig.selective_content_guarding).toEqual({ system: { '@@assign': 'comprehensive' }, messages: { '@@assign': 'comprehensive' } });
      expect(regionConfig.model_enforcement).toEqual({
        included_models: { '@@assign': ['ALL'] },
        excluded_models: { '@@assign': ['amazon.titan-embed-text-v2:0', 'cohere.rerank-v3-5:0'] },
      });
    });

    test('the organization may apply the guardrail, and enforcement waits for that resource policy', () => {
      template.hasResourceProperties('AWS::Bedrock::ResourcePolicy', {
        ResourceArn: { 'Fn::GetAtt': [id('AWS::Bedrock::Guardrail'), 'GuardrailArn'] },
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organization.id } } })] },
      });
      expect(resources[id('AWS::Organizations::Policy')].DependsOn).toContain(id('AWS::Bedrock::ResourcePolicy'));
    });

    test('the policy fits the 10,000-character limit with the longest identifier', () => {
      expect(resources[id('AWS::Organizations::Policy')].Metadata[MEASURED_CHARACTERS_METADATA]).toBeLessThanOrEqual(10000);
    });
  });

  test('a change of guardrail content creates a new version (new logical id)', () => {
    const changed = structuredClone(config);
    changed.bedrock.guardrail.words = ['something-else'];
    const versionIds = (template: Template) => {
      const r = template.toJSON().Resources;
      return Object.keys(r).filter((k) => r[k].Type === 'AWS::Bedrock::GuardrailVersion');
    };
    const changedTemplate = synthOne((app) => STACK_RECIPES.guardrail(app, changed, changed.organization.governedRegions[0]));
    expect(versionIds(changedTemplate)).not.toEqual(versionIds(estate.guardrails[0].template));
  });
});
