import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { CONTROL_TOWER_RULES_DIR, controlTowerRuleFiles, rulesConcerning, templateResourceTypes } from '../../building-blocks/gates/guard-rule-selection';
import { registerGates } from '../../building-blocks/gates/register-gates';
import { StrictCfnGuard } from '../../building-blocks/gates/strict-cfn-guard';
import { APP_CONTEXT } from '../../stacks/app-context';

/** Synthesizes an app; returns the validation failure message ('' when synth passes) and what it printed. */
function synthesize(app: App): { failure: string; printed: string } {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    app.synth();
    return { failure: '', printed: spy.mock.calls.flat().join('\n') };
  } catch (e) {
    return { failure: (e as Error).message, printed: spy.mock.calls.flat().join('\n') };
  } finally {
    spy.mockRestore();
  }
}
const synthFailure = (app: App) => synthesize(app).failure;

/** A bucket with every default off: no encryption, logging, versioning, public access block or Object Lock. */
function plantBareBucket(stack: Stack, id: string): CfnBucket {
  return new CfnBucket(stack, id);
}

describe('synth gates', () => {
  describe('fail synth on a planted violation', () => {
    test.each([
      ['AwsSolutions', /AwsSolutions-S1/],
      ['NIST.800.53.R5', /NIST\.800\.53\.R5-S3BucketLoggingEnabled/],
      ['HIPAA.Security', /HIPAA\.Security-S3BucketLoggingEnabled/],
      ['cdk-validator-cfnguard', /CT\.S3\.PR\.2/],
    ])('%s', (plugin, rule) => {
      const app = new App({ context: { ...APP_CONTEXT } });
      registerGates(app);
      plantBareBucket(new Stack(app, 'Planted'), 'Bare');
      const failure = synthFailure(app);
      expect(failure).toMatch(/Planted\/Bare/);
      expect(failure).toContain(`(${plugin})`);
      expect(failure).toMatch(rule);
    });

    test('a finding in a nested Stage (where the member baseline templates live)', () => {
      const app = new App({ context: { ...APP_CONTEXT } });
      registerGates(app);
      plantBareBucket(new Stack(new Stage(app, 'Member'), 'Baseline'), 'Bare');
      expect(synthFailure(app)).toMatch(/Member\/Baseline\/Bare/);
    });

    test('CloudFormation validation in strict mode: an enum typo', () => {
      const app = new App({ context: { ...APP_CONTEXT } });
      new CfnBucket(new Stack(app, 'Planted'), 'Typo', { accelerateConfiguration: { accelerationStatus: 'Enabeld' } });
      expect(synthFailure(app)).toMatch(/Enabeld/);
    });

    test('cfn-guard: acknowledging one finding leaves the same finding on another resource failing', () => {
      const app = new App({ context: { ...APP_CONTEXT } });
      Validations.of(app).addPlugins(new StrictCfnGuard());
      const stack = new Stack(app, 'Planted');
      const acknowledged = plantBareBucket(stack, 'Acknowledged');
      plantBareBucket(stack, 'Other');
      acknowledgeFinding(acknowledged, { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'planted: this one bucket is acknowledged' });
      const failure = synthFailure(app);
      expect(failure).toMatch(/Planted\/Other/);
      expect(failure).toMatch(/CT\.S3\.PR\.2/);
    });
  });

  test('the upstream cfn-guard plugin alone lets the other findings pass once one is acknowledged (why the wrapper exists)', () => {
    const app = new App({ context: { ...APP_CONTEXT } });
    Validations.of(app).addPlugins(new CfnGuardValidator({ controlTowerRulesEnabled: true }));
    const stack = new Stack(app, 'Planted');
    const acknowledged = plantBareBucket(stack, 'Acknowledged');
    plantBareBucket(stack, 'Other');
    acknowledgeFinding(acknowledged, { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'planted: this one bucket is acknowledged' });
    const { failure, printed } = synthesize(app);
    expect(failure).toBe('');
    expect(printed).toMatch(/Planted\/Other/); // the other bucket's findings are only printed, not failed
  });

  test('without the strict flag the same enum typo would only warn', () => {
    const app = new App({ context: { ...APP_CONTEXT, '@aws-cdk/core:strictCfnValidateErrors': false } });
    new CfnBucket(new Stack(app, 'Planted'), 'Typo', { accelerateConfiguration: { accelerationStatus: 'Enabeld' } });
    const { failure, printed } = synthesize(app);
    expect(failure).toBe('');
    expect(printed).toMatch(/WARNING .*'Enabeld' is not one of/);
  });
});

describe('cfn-guard runs only the Control Tower rules that name a resource type of the templates', () => {
  test('a bucket selects every S3 rule and no rule that names only other types', () => {
    const selected = new Set(rulesConcerning(new Set(['AWS::S3::Bucket'])));
    const all = controlTowerRuleFiles();
    const s3 = all.filter((r) => r.types.has('AWS::S3::Bucket'));
    expect(s3.length).toBeGreaterThan(5);
    expect(all.filter((r) => selected.has(r.file))).toEqual(s3);
    expect(rulesConcerning(new Set(['AWS::S3::Bucket']), [s3[0].name])).not.toContain(s3[0].file);
    expect(rulesConcerning(new Set(['AWS::CDK::Metadata', 'Custom::Anything']))).toEqual([]);
  });

  test('on a synthesized template, the selected rules find what all 237 rules find', () => {
    const app = new App({ context: { ...APP_CONTEXT } });
    const stack = new Stack(app, 'Planted');
    plantBareBucket(stack, 'Bare');
    new Key(stack, 'Key');
    const template = path.join(app.synth().directory, 'Planted.template.json');
    const types = templateResourceTypes([template]);
    const run = (rules: string[]) => new CfnGuardValidator({ controlTowerRulesEnabled: false, rules })
      .validate({ templatePaths: [template], appConstruct: app }).violations.map((v) => `${v.ruleName} ${JSON.stringify(v.violatingResources)}`).sort();
    const everything = run([CONTROL_TOWER_RULES_DIR]);
    expect(everything.length).toBeGreaterThan(0);
    expect(run(rulesConcerning(types))).toEqual(everything);
    expect(rulesConcerning(types).length).toBeLessThan(controlTowerRuleFiles().length / 4);
  });
});
