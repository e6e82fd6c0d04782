import { z } from 'zod';
import { InputError, jsonPath, parseJson } from './input-error';

/** The snapshot format's version: a reader refuses any other (docs/policy-preview.md#snapshot-schema). */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** The policy types a snapshot reads, in this order. */
export const SNAPSHOT_POLICY_TYPES = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY', 'BEDROCK_POLICY'] as const;
export type SnapshotPolicyType = (typeof SNAPSHOT_POLICY_TYPES)[number];

const id = z.string().min(1);

const PolicySchema = z.strictObject({
  /** `p-…` (AWS managed policies have fixed ids such as `p-FullAWSAccess`). */
  id,
  name: z.string().min(1),
  type: z.enum(SNAPSHOT_POLICY_TYPES),
  awsManaged: z.boolean(),
  /** The policy document as DescribePolicy returns it, parsed from its JSON text. */
  content: z.record(z.string(), z.unknown()),
  /** Roots, OUs and accounts the policy is attached to (ListTargetsForPolicy), sorted. */
  targetIds: z.array(id),
});

const TypeStatusSchema = z.union([
  z.strictObject({ status: z.literal('read') }),
  z.strictObject({ status: z.literal('unsupported'), message: z.string() }),
]);

/** The snapshot file: the organization's tree and every policy of the types read, with their targets. */
export const SnapshotSchema = z.strictObject({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  /** ISO 8601 time the snapshot was taken. */
  takenAt: z.string().min(1),
  /** The endpoint read (`AWS_ENDPOINT_URL`), when one was set; absent for AWS itself. */
  endpoint: z.string().optional(),
  organization: z.strictObject({
    roots: z.array(z.strictObject({ id, name: z.string() })),
    organizationalUnits: z.array(z.strictObject({ id, name: z.string(), parentId: id })),
    accounts: z.array(z.strictObject({ id, name: z.string(), parentId: id })),
  }),
  /** Per policy type: read, or not offered by the endpoint (with its error). */
  policyTypes: z.strictObject({
    SERVICE_CONTROL_POLICY: TypeStatusSchema,
    RESOURCE_CONTROL_POLICY: TypeStatusSchema,
    BEDROCK_POLICY: TypeStatusSchema,
  }),
  policies: z.array(PolicySchema),
});

export type Snapshot = z.infer<typeof SnapshotSchema>;
export type SnapshotPolicy = Snapshot['policies'][number];

/** Validates a parsed snapshot; an `InputError` names the file and the JSON path of the first problem. */
export function validateSnapshot(data: unknown, file: string): Snapshot {
  const parsed = SnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, jsonPath(issue.path), `${issue.message} (snapshot schema version ${SNAPSHOT_SCHEMA_VERSION}, docs/policy-preview.md)`);
  }
  return parsed.data;
}

/** Parses and validates snapshot text. */
export function parseSnapshot(text: string, file: string): Snapshot {
  return validateSnapshot(parseJson(text, file), file);
}
