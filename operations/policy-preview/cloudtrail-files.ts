import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { InputError, jsonPath, parseJson } from './input-error';

/**
 * The fields of a CloudTrail record the replay reads (record contents:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html). Records
 * carry many more; they are kept but not read.
 */
const RecordSchema = z.looseObject({
  eventVersion: z.string(),
  eventID: z.string().min(1),
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  awsRegion: z.string().min(1),
  userIdentity: z.looseObject({
    type: z.string().optional(),
    arn: z.string().optional(),
    accountId: z.string().optional(),
    invokedBy: z.string().optional(),
    sessionContext: z.looseObject({
      sessionIssuer: z.looseObject({ type: z.string().optional(), arn: z.string().optional() }).optional(),
    }).optional(),
  }),
  recipientAccountId: z.string().optional(),
  requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
  resources: z.array(z.looseObject({ ARN: z.string().optional(), type: z.string().optional(), accountId: z.string().optional() })).optional(),
  vpcEndpointId: z.string().optional(),
  vpcEndpointAccountId: z.string().optional(),
  errorCode: z.string().optional(),
});

export type CloudTrailRecord = z.infer<typeof RecordSchema>;

/** A log file's records, with the file and index each came from. */
export interface LoadedRecord {
  readonly file: string;
  readonly index: number;
  readonly record: CloudTrailRecord;
}

/**
 * Reads a CloudTrail log file as CloudTrail writes it (`{"Records":[…]}`, gzip-compressed when the name ends in `.gz`
 * or the bytes start with the gzip magic number, plain JSON otherwise). Any problem is an `InputError` naming the file
 * and the record index / JSON path.
 */
export function readCloudTrailFile(file: string): LoadedRecord[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError(file, '$', `cannot be read (${(e as Error).message})`);
  }
  let text: string;
  try {
    text = (bytes[0] === 0x1f && bytes[1] === 0x8b) || file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  } catch (e) {
    throw new InputError(file, '$', `not a gzip file (${(e as Error).message})`);
  }
  const data = parseJson(text, file);
  if (!data || typeof data !== 'object' || Array.isArray(data) || !Array.isArray((data as { Records?: unknown }).Records)) {
    throw new InputError(file, '$.Records', 'a CloudTrail log file is an object with a "Records" array');
  }
  return ((data as { Records: unknown[] }).Records).map((raw, index) => {
    const parsed = RecordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(file, `record ${index} (${jsonPath(['Records', index, ...issue.path])})`, issue.message);
    }
    return { file, index, record: parsed.data };
  });
}
