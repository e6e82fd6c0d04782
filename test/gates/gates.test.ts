import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
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
