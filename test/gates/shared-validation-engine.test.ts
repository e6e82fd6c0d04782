import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { gateFindings } from '../../building-blocks/gates/validation-outcome';

/**
 * The test environment (test/support/jest/shared-validation-environment.js) hands every test file of a worker the
 * same CloudFormation validation engines. These tests show the sharing changes what is found in nothing: the shared
 * engine reports what a fresh engine of the real module reports, and a synth with a finding still fails.
 */
interface Diagnostic { readonly ruleId: string; readonly propertyPath?: string; readonly message: string }
interface Engine {
  validateTemplate(template: unknown, options: object): { diagnostics: Diagnostic[] };
  free(): void;
}
interface ValidateModule {
  readonly CompositeEngine: new (config: object) => Engine;
  readonly TemplateContent: new (content: string, name: string) => unknown;
  readonly sharedEngineCount?: () => number;
}

/** A bucket whose versioning status is not one CloudFormation accepts, and a property it does not have. */
const PLANTED = JSON.stringify({
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Sometimes' }, NoSuchProperty: true } },
  },
});
const OPTIONS = { detailLevel: 'STANDARD', severityLevel: 'WARN', exclude: { ids: ['W3005'] } };

const findings = (module: ValidateModule, engine: Engine) =>
  engine.validateTemplate(new module.TemplateContent(PLANTED, 'planted.json'), OPTIONS).diagnostics
    .map((d) => `${d.ruleId} ${d.propertyPath ?? ''} ${d.message}`).sort();

describe('CloudFormation validation engines shared between test files', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const shared = require('@aws/cloudformation-validate') as ValidateModule;

  test('the test files get the shared module, which keeps one engine per configuration', () => {
    expect(shared.sharedEngineCount).toBeDefined();
    const config = { regoRules: [] };
    const first = new shared.CompositeEngine(config);
    const before = shared.sharedEngineCount!();
    const second = new shared.CompositeEngine({ regoRules: [] });
    second.free();
    expect(shared.sharedEngineCount!()).toBe(before);
    expect(findings(shared, first)).toEqual(findings(shared, new shared.CompositeEngine(config)));
  });

  test('the shared engine finds what a fresh engine of the real module finds', () => {
    // The real module by its file, which the mapping (on the package name) does not redirect: a fresh engine.
    const file = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'node_modules/@aws/cloudformation-validate/index.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const real = require(file) as ValidateModule;
    expect(real.sharedEngineCount).toBeUndefined();
    const fresh = new real.CompositeEngine({});
    try {
      const expected = findings(real, fresh);
      expect(expected.some((f) => f.includes('Sometimes'))).toBe(true);
      expect(findings(shared, new shared.CompositeEngine({}))).toEqual(expected);
    } finally {
      fresh.free();
    }
  });

  test('a synthesized template with a finding still reports it to the gates', () => {
    const app = new App();
    const stack = new Stack(app, 'Planted', { env: { account: '111122223333', region: 'eu-central-1' } });
    new CfnBucket(stack, 'Bucket', { versioningConfiguration: { status: 'Sometimes' } });
    expect(gateFindings(app.synth()).join('\n')).toMatch(/CloudFormation Validate .*Planted.*Sometimes/s);
  });
});
