import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PIPELINE_YAML } from './pipeline-config';
import type { ConfigError } from '../../../config/config-error';
import { parseConfig } from '../../../config/load';
import { APP_CONTEXT } from '../../../stacks/app-context';
import { buildPipelineApp } from '../../../stacks/pipeline/build-pipeline';
import { EXAMPLE_CONFIG_TEXT, exampleConfig } from '../../support/example-config';

/** The issues the loader reports for the example with `pipelineYaml` appended (none when it loads). */
function issuesOf(pipelineYaml: string) {
  try {
    parseConfig(`${EXAMPLE_CONFIG_TEXT}\n${pipelineYaml}`, 'x.yaml');
    return [];
  } catch (e) {
    return (e as ConfigError).issues;
  }
}

describe('pipeline config', () => {
  test('the example has no pipeline section; a connection source with its defaults loads', () => {
    expect(exampleConfig().pipeline).toBeUndefined();
    const config = parseConfig(`${EXAMPLE_CONFIG_TEXT}\n${PIPELINE_YAML}`, 'x.yaml');
    expect(config.pipeline).toEqual({
      account: 'network',
      name: 'genai-governance',
      bootstrapQualifier: 'genaigov',
      source: { connection: { connectionArn: expect.stringMatching(/^arn:aws:codeconnections:/), repository: 'example-org/genai-governance', branch: 'main' } },
    });
  });

  test('the bootstrap qualifier is one the CDK accepts and never the CDK default, which every account\'s own bootstrap uses', () => {
    const withQualifier = (q: string) => PIPELINE_YAML.replace('  account: network\n', `  account: network\n  bootstrapQualifier: ${q}\n`);
    expect(issuesOf(withQualifier('hnb659fds'))).toEqual([expect.objectContaining({ path: ['pipeline', 'bootstrapQualifier'] })]);
    expect(issuesOf(withQualifier('far-too-long-qualifier'))).toEqual([expect.objectContaining({ path: ['pipeline', 'bootstrapQualifier'] })]);
    expect(parseConfig(`${EXAMPLE_CONFIG_TEXT}\n${withQualifier('gov2')}`, 'x.yaml').pipeline?.bootstrapQualifier).toBe('gov2');
  });

  test.each([
    ['a CodeStar Connections ARN (the old service prefix)', 'arn:aws:codestar-connections:eu-central-1:639415720488:connection/0b9d7a52-3c1e-4f6a-9d2b-7e8f1a2b3c4d'],
    ['an ARN without the connection id', 'arn:aws:codeconnections:eu-central-1:639415720488:connection/'],
    ['an account id of 11 digits', 'arn:aws:codeconnections:eu-central-1:63941572048:connection/0b9d7a52-3c1e-4f6a-9d2b-7e8f1a2b3c4d'],
    ['a host ARN', 'arn:aws:codeconnections:eu-central-1:639415720488:host/0b9d7a52-3c1e-4f6a-9d2b-7e8f1a2b3c4d'],
  ])('a bad connection ARN is an error naming the field: %s', (_what, arn) => {
    expect(issuesOf(PIPELINE_YAML.replace(/connectionArn: .*/, `connectionArn: ${arn}`))).toEqual([expect.objectContaining({
      path: ['pipeline', 'source', 'connection', 'connectionArn'],
      expected: expect.stringContaining('arn:aws:codeconnections:<region>:<12-digit account>:connection/<uuid>'),
    })]);
  });

  test('both sources, or neither, is an error naming pipeline.source', () => {
    const both = `${PIPELINE_YAML}    s3:\n      bucket: example-org-governance-source\n      key: genai-governance.zip\n`;
    expect(issuesOf(both)).toEqual([expect.objectContaining({ path: ['pipeline', 'source'], expected: 'exactly one source, connection or s3; found both' })]);
    expect(issuesOf('pipeline:\n  source: {}\n')).toEqual([expect.objectContaining({ path: ['pipeline', 'source'], expected: 'exactly one source, connection or s3; found neither' })]);
  });

  test('a repository that is not owner/name, a branch with "..", an unknown deployment account are errors naming the field', () => {
    expect(issuesOf(PIPELINE_YAML.replace('example-org/genai-governance', 'genai-governance'))).toEqual([
      expect.objectContaining({ path: ['pipeline', 'source', 'connection', 'repository'], expected: 'a repository as "owner/name"' }),
    ]);
    expect(issuesOf(PIPELINE_YAML.replace('branch: main', 'branch: main..x'))).toEqual([
      expect.objectContaining({ path: ['pipeline', 'source', 'connection', 'branch'] }),
    ]);
    expect(issuesOf(PIPELINE_YAML.replace('account: network', 'account: netwrok'))).toEqual([
      expect.objectContaining({ path: ['pipeline', 'account'], hint: 'did you mean "network"?' }),
    ]);
  });

  test('an S3 source: the pipeline reads the object on S3 events (the one synth of this file, without the gates)', () => {
    const config = parseConfig(`${EXAMPLE_CONFIG_TEXT}\npipeline:\n  source:\n    s3:\n      bucket: example-org-governance-source\n      key: releases/genai-governance.zip\n`, 'x.yaml');
    expect(config.pipeline?.account).toBeUndefined();
    const app = new App({ context: { ...APP_CONTEXT } });
    const { pipelineStack } = buildPipelineApp(app, { ...config, pipeline: config.pipeline! }, 'config/org.yaml');
    // Without pipeline.account the pipeline runs in the management account.
    expect(pipelineStack.account).toBe('318274650913');
    const template = Template.fromStack(pipelineStack);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([{
        Name: 'Source',
        Actions: [Match.objectLike({
          ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'S3', Version: '1' },
          Configuration: { S3Bucket: 'example-org-governance-source', S3ObjectKey: 'releases/genai-governance.zip', PollForSourceChanges: false },
        })],
      }]),
    });
    // S3Trigger.EVENTS: a rule on the CloudTrail PutObject (and copy, multipart) events of the one key.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        'source': ['aws.s3'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': Match.objectLike({
          requestParameters: { bucketName: ['example-org-governance-source'], key: ['releases/genai-governance.zip'] },
        }),
      }),
    });
  });
});
