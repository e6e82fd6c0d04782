import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixture } from './fixtures/fixtures';
import { mapEvent } from '../../../operations/policy-preview/cloudtrail-actions';
import { readCloudTrailFile } from '../../../operations/policy-preview/cloudtrail-files';
import { parseSnapshot } from '../../../operations/policy-preview/snapshot-schema';

/** Malformed snapshots and CloudTrail files fail with the file and the position; the event mapping on real record shapes. */
const dir = mkdtempSync(join(tmpdir(), 'policy-preview-inputs-'));
const write = (name: string, data: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, data);
  return file;
};
const example = () => JSON.parse(readFileSync(fixture('deployed-example.json'), 'utf8'));
const log = () => JSON.parse(readFileSync(fixture('cloudtrail.json'), 'utf8'));

describe('a malformed snapshot names the file and where', () => {
  test('text that is not JSON: the character position', () => {
    expect(() => parseSnapshot('{"schemaVersion": 1,, }', 'deployed.json')).toThrow(/^deployed\.json: character 20: not valid JSON/);
  });
  test('a policy whose content is a string: its JSON path', () => {
    const s = example();
    s.policies[2].content = '{"Version":"2012-10-17"}';
    expect(() => parseSnapshot(JSON.stringify(s), 'deployed.json')).toThrow(/^deployed\.json: \$\.policies\[2\]\.content: /);
  });
  test('another schema version', () => {
    expect(() => parseSnapshot(JSON.stringify({ ...example(), schemaVersion: 2 }), 'deployed.json')).toThrow(/^deployed\.json: \$\.schemaVersion: .*snapshot schema version 1/);
  });
  test('an unknown key (the format is strict)', () => {
    expect(() => parseSnapshot(JSON.stringify({ ...example(), policy: [] }), 'deployed.json')).toThrow(/^deployed\.json: \$: .*policy/);
  });
});

describe('a malformed CloudTrail file names the file and the record', () => {
  test('a record without an eventID', () => {
    const l = log();
    delete l.Records[3].eventID;
    const file = write('missing-id.json', JSON.stringify(l));
    expect(() => readCloudTrailFile(file)).toThrow(`${file}: record 3 ($.Records[3].eventID)`);
  });
  test('no Records array', () => {
    const file = write('no-records.json', JSON.stringify({ records: [] }));
    expect(() => readCloudTrailFile(file)).toThrow(`${file}: $.Records: a CloudTrail log file is an object with a "Records" array`);
  });
  test('the gzip fixture reads as the plain one: the same records in the same order (the preview reads every file here)', () => {
    const plain = readCloudTrailFile(fixture('cloudtrail.json')).map((r) => [r.index, r.record]);
    expect(plain.length).toBeGreaterThan(3);
    expect(readCloudTrailFile(fixture('cloudtrail.json.gz')).map((r) => [r.index, r.record])).toEqual(plain);
  });

  test('a truncated gzip file', () => {
    const gz = gzipSync(JSON.stringify(log()));
    const file = write('truncated.json.gz', gz.subarray(0, gz.length - 20));
    expect(() => readCloudTrailFile(file)).toThrow(`${file}: $: not a gzip file`);
  });
  test('a file that does not exist', () => {
    expect(() => readCloudTrailFile(join(dir, 'absent.json'))).toThrow(/absent\.json: \$: cannot be read/);
  });
});

describe('events to IAM actions', () => {
  const records = readCloudTrailFile(fixture('cloudtrail.json')).map((r) => r.record);
  test('InvokeModel through a profile id: the profile and the model in the call\'s Region, with bedrock:InferenceProfileArn', async () => {
    const m = await mapEvent(records[0]);
    expect(m).toEqual({
      mapped: true,
      action: 'bedrock:InvokeModel',
      resources: ['arn:aws:bedrock:eu-central-1:741852096357:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
        'arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0'],
      context: {
        'aws:RequestedRegion': 'eu-central-1',
        'bedrock:InferenceProfileArn': 'arn:aws:bedrock:eu-central-1:741852096357:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      },
    });
  });
  test('Converse is authorized as bedrock:InvokeModel; ConverseStream as InvokeModelWithResponseStream', async () => {
    expect(await mapEvent(records[1])).toMatchObject({ mapped: true, action: 'bedrock:InvokeModel' });
    expect(await mapEvent({ ...records[1], eventName: 'ConverseStream' })).toMatchObject({ mapped: true, action: 'bedrock:InvokeModelWithResponseStream' });
  });
  test('StopLogging on the trail ARN', async () => {
    expect(await mapEvent(records[3])).toMatchObject({ mapped: true, action: 'cloudtrail:StopLogging', resources: [expect.stringMatching(/^arn:aws:cloudtrail:eu-central-1:741852096357:trail\//)] });
  });
  test('a service the controls do not govern, a name that is no IAM action, a call by an AWS service: unmapped with the reason', async () => {
    expect(await mapEvent(records[4])).toEqual({ mapped: false, reason: 'service not mapped' });
    expect(await mapEvent({ ...records[3], eventName: 'NoSuchCall' })).toEqual({ mapped: false, reason: 'no IAM action of that name' });
    expect(await mapEvent({ ...records[3], userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } })).toEqual({ mapped: false, reason: 'AWS service principal' });
  });
});
