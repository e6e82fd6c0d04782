import { resourcesOf, type Assembly } from './assembly';
import { isLiteral, type Fact } from './fact';

/** ARC-1 facts: each archive bucket's Object Lock configuration (enabled, default retention mode and period). */

/** Object Lock as the verifier compares it, from the template's `ObjectLockConfiguration` or GetObjectLockConfiguration's. */
export interface ObjectLockInput { ObjectLockEnabled?: unknown; Rule?: { DefaultRetention?: Record<string, unknown> } }

export function objectLock(configuration: ObjectLockInput | undefined): unknown {
  if (!configuration) return null;
  const retention = configuration.Rule?.DefaultRetention;
  return {
    ObjectLockEnabled: configuration.ObjectLockEnabled ?? null,
    Mode: retention?.Mode ?? null,
    // Days and Years exclude each other; 0 is no period (moto answers Years: 0 where S3 leaves Years out).
    Days: retention?.Days || null,
    Years: retention?.Years || null,
  };
}

export function archiveFacts(assembly: Assembly): Fact[] {
  return assembly.stacks.flatMap((stack) => resourcesOf(stack.template, 'AWS::S3::Bucket')
    .filter(([, props]) => props.ObjectLockConfiguration !== undefined && isLiteral(props.BucketName) && props.BucketName !== undefined)
    .map(([, props]) => ({
      control: 'ARC-1',
      account: stack.account,
      region: stack.region,
      clientRegion: stack.region,
      kind: 'bucket-object-lock' as const,
      subject: String(props.BucketName),
      call: `s3:GetObjectLockConfiguration ${String(props.BucketName)}`,
      expected: objectLock(props.ObjectLockConfiguration as Parameters<typeof objectLock>[0]),
    })));
}
