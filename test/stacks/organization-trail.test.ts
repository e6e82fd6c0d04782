import { BEDROCK_DATA_EVENT_TYPES, type GovernanceConfig } from '../../config/schema';
import { archiveKeyAliasArn, organizationTrailArn, trailArchiveBucketName } from '../../contracts/archive-names';
import { TRAIL_LOG_GROUP_NAME } from '../../contracts/governance-log-groups';
import { STACK_RECIPES } from '../../stacks/estate';
import { synthOne } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

describe('CT-1: the organization trail (management account)', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const template = estate.organizationTrail.template;
  const [trail] = Object.values(template.findResources('AWS::CloudTrail::Trail')) as any[];

  test('covers every account and Region, with global events, validation, KMS and the Object Lock archive', () => {
    expect(estate.organizationTrail.account).toBe('318274650913');
    expect(trail.Properties).toMatchObject({
      TrailName: 'genai-governance-organization-trail',
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      S3BucketName: trailArchiveBucketName(config),
      KMSKeyId: archiveKeyAliasArn(config),
    });
    expect(trailArchiveBucketName(config)).toBe('genai-governance-trail-archive-402761958314');
  });

  test('records all management events and one data-event selector per configured Bedrock resource type', () => {
    const selectors = trail.Properties.AdvancedEventSelectors;
    expect(selectors[0]).toEqual({ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] });
    expect(selectors.slice(1).map((s: any) => s.FieldSelectors)).toEqual(BEDROCK_DATA_EVENT_TYPES.map((type) => [
      { Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: [type] },
    ]));
  });

  test('a config that asks for fewer data events gets only those', () => {
    const fewer: GovernanceConfig = { ...config, trail: { ...config.trail, bedrockDataEvents: ['AWS::Bedrock::Guardrail', 'AWS::Bedrock::KnowledgeBase'] } };
    const [t] = Object.values(synthOne((app) => STACK_RECIPES.organizationTrail(app, fewer)).findResources('AWS::CloudTrail::Trail')) as any[];
    expect(t.Properties.AdvancedEventSelectors.slice(1).map((s: any) => s.FieldSelectors[1].Equals[0])).toEqual(['AWS::Bedrock::Guardrail', 'AWS::Bedrock::KnowledgeBase']);
  });

  test('delivers to an encrypted log group with the configured retention, through a role only this trail may assume', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: TRAIL_LOG_GROUP_NAME, RetentionInDays: config.retention.logGroupRetentionDays });
    const [role] = Object.values(template.findResources('AWS::IAM::Role')) as any[];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceArn': organizationTrailArn(config) } },
    })]);
    expect(trail.DependsOn).toEqual([expect.stringMatching(/^LogsPolicy/)]);
  });

  test('deploys after the log archive it delivers to', () => {
    expect(estate.organizationTrail.dependencies).toContain('GovernanceLogArchive');
  });
});
