import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { ACKNOWLEDGEMENT_METADATA_TYPE, RECORD_ONLY_CONTEXT_KEY, acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { acknowledgementProblem, listAcknowledgements } from '../../building-blocks/gates/acknowledgement-audit';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate } from '../../stacks/estate';
import { exampleConfig } from '../support/example-config';
import { PROJECT_ROOT } from '../support/run-app';

/** Every finding the gates raise on the estate when no acknowledgement is applied: `plugin::rule @ construct path`. */
function rawFindings(): { findings: Set<string>; recorded: { path: string; id: string }[] } {
  const app = new App({
    context: {
      ...APP_CONTEXT,
      [RECORD_ONLY_CONTEXT_KEY]: true,
      'aws:cdk:enable-path-metadata': true,
      // Report CloudFormation validation findings instead of throwing, so they can be collected below.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  buildEstate(app, exampleConfig());
  const assembly = app.synth();
  const findings = new Set<string>();
  const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  for (const plugin of report.pluginReports.filter((p: { pluginName: string }) => p.pluginName === 'CloudFormation Validate')) {
    for (const v of plugin.violations) {
      for (const c of v.violatingConstructs) findings.add(`CloudFormation-Validate::${v.ruleName} @ ${c.constructPath.replace(/\/Resource$/, '')}`);
    }
  }
  for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks()]) {
    for (const v of pack.validateScope(app).violations) {
      // cdk-nag 3.0.2 emits `violatingResources` with construct paths (aws-cdk-lib 2.276 types it `violatingConstructs`).
      const at = (v as unknown as { violatingResources: { constructPath: string }[] }).violatingResources;
      for (const r of at) findings.add(`${pack.name}::${v.ruleName} @ ${r.constructPath}`);
    }
  }
  const assemblies = [assembly, ...assembly.nestedAssemblies.map((n) => n.nestedAssembly)];
  const templatePaths = assemblies.flatMap((a) => a.stacks.map((s) => path.join(a.directory, s.templateFile)));
  const guard = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate({ templatePaths, appConstruct: app });
  // Member templates carry no path metadata: map template file and logical id back to the construct path.
  const pathOf = new Map(app.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c))
    .map((c) => [`${Stack.of(c).templateFile} ${Stack.of(c).getLogicalId(c)}`, c.node.path]));
  for (const v of guard.violations) {
    for (const r of v.violatingResources) {
      findings.add(`cdk-validator-cfnguard::${v.ruleName} @ ${pathOf.get(`${path.basename(r.templatePath)} ${r.resourceLogicalId}`)}`);
    }
  }
  const recorded = app.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === ACKNOWLEDGEMENT_METADATA_TYPE)
    .map((m) => ({ path: c.node.path, id: (m.data as { id: string }).id })));
  return { findings, recorded };
}

describe('gate acknowledgements', () => {
  describe('fail on', () => {
    test('a blanket acknowledgement recorded on a stack', () => {
      const app = new App();
      const stack = new Stack(app, 'S');
      new Bucket(stack, 'B');
      Validations.of(stack).acknowledge({ id: 'AwsSolutions-S1', reason: 'silences S1 for every bucket in the stack' });
      expect(listAcknowledgements(app).map(acknowledgementProblem)).toEqual(['not on a single CloudFormation resource (a blanket acknowledgement)']);
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

  // Acknowledgements are recorded on the construct tree as it is built: no synthesis needed to list them.
  const app = new App({ context: { ...APP_CONTEXT } });
  buildEstate(app, exampleConfig());
  const acknowledgements = listAcknowledgements(app);

  test('every acknowledgement names one finding on one resource with a checkable reason', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    expect(acknowledgements.map((a) => [a.path, a.ruleId, acknowledgementProblem(a)]))
      .toEqual(acknowledgements.map((a) => [a.path, a.ruleId, undefined]));
  });

  test('every acknowledgement still matches a finding the gates raise on that resource', () => {
    const { findings, recorded } = rawFindings();
    expect(recorded).toHaveLength(acknowledgements.length);
    const unmatched = recorded.filter((r) => ![...findings].some((f) => {
      const [rule, at] = f.split(' @ ');
      return at === r.path && (rule === r.id || rule.endsWith(`::${r.id}`));
    }));
    expect(unmatched).toEqual([]);
  });

  test('the register (docs/acknowledgements.md) lists every acknowledgement with its resource', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'docs', 'acknowledgements.md'), 'utf8');
    const missing = acknowledgements.filter((a) => !readme.split('\n').some((l) => l.includes(`\`${a.path}\``) && l.includes(a.ruleId.split('::').pop()!)));
    expect(missing.map((a) => `${a.path} ${a.ruleId}`)).toEqual([]);
  });
});
