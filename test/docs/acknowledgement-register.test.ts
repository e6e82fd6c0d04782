import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ACKNOWLEDGEMENT_REGISTER_FILE, acknowledgementRegisterOf, acknowledgementRegisterRows, renderAcknowledgementRegister } from '../../building-blocks/gates/acknowledgement-register';
import { exampleEstate } from '../support/example-estate';
import { PROJECT_ROOT } from '../support/run-app';

describe('the acknowledgement register', () => {
  test('docs/acknowledgements.md is the register the code records (run `npx projen docs:acknowledgements` when this fails)', () => {
    const checkedIn = readFileSync(path.join(PROJECT_ROOT, ACKNOWLEDGEMENT_REGISTER_FILE), 'utf8');
    // The example estate every suite shares (test/support/example-estate.ts), read as `npx projen docs:acknowledgements`
    // reads the assembly it synthesizes.
    expect(checkedIn).toBe(acknowledgementRegisterOf(exampleEstate().assembly));
  });

  test('one row per acknowledgement, ordered by stack, resource and rule whatever the input order, cells escaped', () => {
    const acks = [
      { path: 'B/Regional/Fn/Resource', ruleId: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason: 'a reason | with a pipe', onResource: true },
      { path: 'A/Bucket/Resource', ruleId: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'why it does not apply here', onResource: true },
      { path: 'A/Bucket/Resource', ruleId: 'AwsSolutions::AwsSolutions-S1', reason: 'why it does not apply here', onResource: true },
    ];
    const stacks = ['A', 'B', 'B/Regional'];
    expect(acknowledgementRegisterRows(acks, stacks).map((r) => [r.stack, r.ruleId])).toEqual([
      ['A', 'AwsSolutions::AwsSolutions-S1'],
      ['A', 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check'],
      ['B/Regional', 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ'],
    ]);
    const markdown = renderAcknowledgementRegister(acks, stacks);
    expect(markdown).toBe(renderAcknowledgementRegister([...acks].reverse(), stacks));
    expect(markdown).toContain('| `B/Regional` | `B/Regional/Fn/Resource` | `NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ` | a reason \\| with a pipe |');
    expect(markdown.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(3);
  });
});
