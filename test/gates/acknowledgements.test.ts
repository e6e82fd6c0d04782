import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { acknowledgedFindings, acknowledgementProblem, findingKey, listAcknowledgements } from '../../building-blocks/gates/acknowledgement-audit';
import { exampleEstate } from '../support/example-estate';
import { PROJECT_ROOT } from '../support/run-app';

describe('gate acknowledgements', () => {
  describe('fail on', () => {
    test('a blanket acknowledgement recorded on a stack', () => {
      const app = new App();
      const stack = new Stack(app, 'S');
      new Bucket(stack, 'B');
      Validations.of(stack).acknowledge({ id: 'AwsSolutions-S1', reason: 'silences S1 for every bucket in the stack' });
      expect(listAcknowledgements(app.synth()).map(acknowledgementProblem)).toEqual(['not on a single CloudFormation resource (a blanket acknowledgement)']);
    });

    test('an acknowledgement helper call on a construct without one resource, a wildcard, or a short reason', () => {
      const stack = new Stack(new App(), 'S');
      const bucket = new Bucket(stack, 'B');
      expect(() => acknowledgeFinding(stack, { id: 'AwsSolutions::AwsSolutions-S1', reason: 'a reason long enough to pass' })).toThrow(/not a CloudFormation resource/);
      expect(() => acknowledgeFinding(bucket, { id: 'AwsSolutions::AwsSolutions-*', reason: 'a reason long enough to pass' })).toThrow(/without wildcards/);
      expect(() => acknowledgeFinding(bucket, { id: 'AwsSolutions-S1', reason: 'a reason long enough to pass' })).toThrow(/as plugin::rule/);
      expect(() => acknowledgeFinding(bucket, { id: 'AwsSolutions::AwsSolutions-S1', reason: 'not needed' })).toThrow(/at least 20 characters/);
    });
  });

  // The example estate every suite shares (test/support/example-estate.ts), synthesized with every gate on: its stacks'
  // metadata records each acknowledgement at its construct path, and its validation report lists each finding the gates
  // raised and an acknowledgement let pass.
  const { assembly } = exampleEstate();
  const acknowledgements = listAcknowledgements(assembly);

  test('every acknowledgement names one finding on one resource with a checkable reason', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    expect(acknowledgements.map((a) => [a.path, a.ruleId, acknowledgementProblem(a)]))
      .toEqual(acknowledgements.map((a) => [a.path, a.ruleId, undefined]));
  });

  test('every acknowledgement still matches a finding the gates raise on that resource, and only acknowledged findings pass', () => {
    const acknowledged = acknowledgedFindings(assembly);
    const unmatched = acknowledgements.filter((a) => !acknowledged.has(findingKey(a.path, a.ruleId)));
    expect(unmatched.map((a) => findingKey(a.path, a.ruleId))).toEqual([]);
    // Every finding that passed, passed by one of these acknowledgements (none by an acknowledgement recorded elsewhere).
    const recorded = new Set(acknowledgements.map((a) => findingKey(a.path, a.ruleId)));
    expect([...acknowledged].filter((f) => !recorded.has(f))).toEqual([]);
  });

  test('an acknowledgement that matches no finding is not among the acknowledged findings', () => {
    // The bare bucket's own findings are reported, not thrown, so the report is written.
    const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'S');
    const bucket = new Bucket(stack, 'B');
    acknowledgeFinding(bucket, { id: 'AwsSolutions::AwsSolutions-IAM4', reason: 'a bucket has no managed policy to find' });
    const synthesized = app.synth();
    const [ack] = listAcknowledgements(synthesized);
    expect(ack).toMatchObject({ path: 'S/B/Resource', ruleId: 'AwsSolutions::AwsSolutions-IAM4', onResource: true });
    expect(acknowledgedFindings(synthesized).has(findingKey(ack.path, ack.ruleId))).toBe(false);
  });

  test('the register (docs/acknowledgements.md) lists every acknowledgement with its resource', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'docs', 'acknowledgements.md'), 'utf8');
    const missing = acknowledgements.filter((a) => !readme.split('\n').some((l) => l.includes(`\`${a.path}\``) && l.includes(a.ruleId.split('::').pop()!)));
    expect(missing.map((a) => `${a.path} ${a.ruleId}`)).toEqual([]);
  });
});
