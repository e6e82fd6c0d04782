import { readFileSync } from 'node:fs';
import { EVENT_IDS, fixture } from './fixtures/fixtures';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../../config/load';
import { readCloudTrailFile } from '../../../operations/policy-preview/cloudtrail-files';
import { buildPreview, type Preview } from '../../../operations/policy-preview/preview';
import { renderMarkdown } from '../../../operations/policy-preview/render-markdown';
import { parseSnapshot, type Snapshot } from '../../../operations/policy-preview/snapshot-schema';

/**
 * The preview on the fixtures: the example organization's policies as deployed, a config that drops a model, snapshots
 * whose deployed policies differ from the config's, and a CloudTrail log file with real record shapes. Every
 * decision is iam-simulate's evaluation of the policies (docs/adr/0013), not what AWS enforces.
 */
jest.setTimeout(240_000);

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const snapshotFixture = (name = 'deployed-example.json') => parseSnapshot(readFileSync(fixture(name), 'utf8'), name);

async function preview(configFile: string, snapshot: Snapshot, activity: string[] = [fixture('cloudtrail.json')]): Promise<Preview> {
  return buildPreview({
    config: loadConfigFile(configFile),
    configFile,
    snapshot,
    snapshotFile: 'deployed.json',
    activityFiles: activity,
    records: activity.flatMap((f) => readCloudTrailFile(f)),
  });
}

/** The snapshot with one of this tool's statements rewritten. */
function editStatement(snapshot: Snapshot, sid: string, edit: (s: any) => any): Snapshot {
  let found = 0;
  const policies = snapshot.policies.map((p) => {
    const statements = (p.content as any).Statement;
    if (!Array.isArray(statements) || !statements.some((s: any) => s.Sid === sid)) return p;
    found++;
    return { ...p, content: { ...p.content, Statement: statements.flatMap((s: any) => (s.Sid === sid ? [edit(s)].filter(Boolean) : [s])) } };
  });
  if (found === 0) throw new Error(`no statement ${sid} in the snapshot`);
  return { ...snapshot, policies };
}

describe('the example config against its own deployed policies', () => {
  let result: Preview;
  beforeAll(async () => {
    result = await preview(DEFAULT_CONFIG_FILE, snapshotFixture());
  });

  test('previews as no change: no diff, no flip, no blocked call', () => {
    expect(result.changed).toBe(false);
    expect(result.diff).toEqual([]);
    expect(result.decisions.flips).toEqual([]);
    expect(result.decisions.evaluated).toBeGreaterThan(1000);
    expect(result.activity!.blocked).toEqual([]);
    expect(result.conflicts).toEqual([]);
    expect(renderMarkdown(result)).toContain('**No change**');
  });

  test('counts the record of a service it does not map instead of dropping it', () => {
    expect(result.activity).toMatchObject({
      records: 5,
      calls: 4,
      unmapped: { total: 1, byReason: { 'service not mapped': 1 }, byEvent: { 'dynamodb.amazonaws.com DescribeTable': 1 } },
    });
  });
});

describe('a config that removes Claude Haiku 4.5 from the approved models', () => {
  let result: Preview;
  beforeAll(async () => {
    result = await preview(fixture('governance-tightened.yaml'), snapshotFixture());
  });

  test('changes BR-MODEL-1 at every workload OU and nothing else', () => {
    expect(result.changed).toBe(true);
    const config = loadConfigFile(DEFAULT_CONFIG_FILE);
    const workloadOus = config.organization.workloadOrganizationalUnits.map((p) => config.organizationalUnits.find((o) => o.path === p)!.id).sort();
    expect(result.diff.map((d) => d.targetId)).toEqual(workloadOus);
    for (const d of result.diff) {
      expect(d).toMatchObject({ policyType: 'SERVICE_CONTROL_POLICY', attached: [], detached: [], added: [], removed: [] });
      expect(d.changed.map((c) => c.key)).toEqual(['BRMODEL1DenyUnapprovedModels']);
      expect(JSON.stringify(d.changed[0].before)).toContain(HAIKU);
      expect(JSON.stringify(d.changed[0].after)).not.toContain(HAIKU);
    }
  });

  test('flips exactly the Haiku profile cases, allowed to denied by BR-MODEL-1', () => {
    expect(result.decisions.flips.length).toBeGreaterThan(0);
    for (const f of result.decisions.flips) {
      expect(f.case).toContain(`eu.${HAIKU}`);
      expect(f).toMatchObject({ direction: 'allowed-to-denied', kind: 'model', after: { allowed: false, controls: ['BR-MODEL-1'] } });
    }
    expect(result.decisions.flips.map((f) => f.case)).toContain(`invoke eu.${HAIKU} from eu-central-1 as support-chat-prod/workload-admin`);
  });

  test('names the recorded Haiku calls it would have blocked by eventID, and not the Sonnet call or the already denied StopLogging', () => {
    const blocked = result.activity!.blocked;
    expect(blocked.flatMap((c) => c.eventIds).sort()).toEqual([EVENT_IDS.haikuConverse, EVENT_IDS.haikuInvokeViaProfile].sort());
    expect(blocked.every((c) => c.controls.join() === 'BR-MODEL-1' && c.action === 'bedrock:InvokeModel')).toBe(true);
    expect(result.activity).toMatchObject({ blockedRecords: 2, blockedPrincipals: 2 });
    const md = renderMarkdown(result);
    expect(md).toContain('this change would have blocked 2 recorded call(s) by 2 role(s)');
    expect(md).toContain(`| \`${EVENT_IDS.haikuConverse}\` | \`arn:aws:iam::741852096357:role/support-chat-classifier\``);
    expect(md).toContain('| invoke eu.anthropic.claude-haiku-4-5-20251001-v1:0 from eu-west-1 as support-chat-dev/workload-admin | allowed | denied | BR-MODEL-1 |');
  });
});

test('a deployed SCP without ORG-TAMPER-TRAIL: re-adding it denies the trail tamper actions and would have blocked the recorded StopLogging', async () => {
  const sid = 'ORGTAMPERTRAILDenyTrailChanges';
  const snapshot = snapshotFixture();
  const statementSids = snapshot.policies.flatMap((p) => ((p.content as any).Statement ?? []).map((s: any) => s.Sid as string));
  const trailSids = statementSids.filter((s) => s?.startsWith('ORGTAMPERTRAIL'));
  expect(trailSids).toContain(sid);
  const result = await preview(DEFAULT_CONFIG_FILE, trailSids.reduce((snap, s) => editStatement(snap, s, () => undefined), snapshot));
  expect(result.changed).toBe(true);
  expect(result.diff.flatMap((d) => d.added.map((a) => a.key)).sort()).toEqual([...trailSids].sort());
  const flips = result.decisions.flips;
  expect(flips.map((f) => f.case)).toContain('cloudtrail:StopLogging on a governed resource as support-chat-prod/workload-admin');
  expect(flips.every((f) => f.kind === 'tamper' && f.direction === 'allowed-to-denied' && f.after.controls.includes('ORG-TAMPER-TRAIL'))).toBe(true);
  expect(flips.some((f) => f.case.includes('governance-pipeline-deploy'))).toBe(false);
  expect(result.activity!.blocked.map((c) => [c.eventIds, c.action, c.controls])).toEqual([[[EVENT_IDS.stopLogging], 'cloudtrail:StopLogging', ['ORG-TAMPER-TRAIL']]]);
});

test('a deployed BR-MODEL-1 that denies Sonnet: the config allows it again (denied to allowed, naming the control that denied)', async () => {
  const snapshot = editStatement(snapshotFixture(), 'BRMODEL1DenyUnapprovedModels', (s) => ({ ...s, NotResource: s.NotResource.filter((r: string) => !r.includes(SONNET)) }));
  const result = await preview(DEFAULT_CONFIG_FILE, snapshot, []);
  expect(result.activity).toBeUndefined();
  const flips = result.decisions.flips;
  expect(flips.length).toBeGreaterThan(0);
  expect(flips.every((f) => f.case.includes(SONNET) && f.direction === 'denied-to-allowed' && f.before.controls.join() === 'BR-MODEL-1')).toBe(true);
  expect(renderMarkdown(result)).toMatch(/\| allowed \| BR-MODEL-1 \|/);
});

test('policies attached outside this tool: a Control Tower Region deny that blocks CRI destinations and another guardrail are flagged, not diffed', async () => {
  const result = await preview(DEFAULT_CONFIG_FILE, snapshotFixture('deployed-control-tower.json'), []);
  expect(result.changed).toBe(false);
  expect(result.conflicts.map((c) => [c.kind, c.policy])).toEqual([
    ['region-deny-blocks-cri', 'aws-guardrails-RegionDeny'], ['foreign-guardrail', 'data-science-guardrail'],
  ]);
  expect(result.conflicts[0].detail).toMatch(/CRI destination Regions .*eu-west-3/);
  expect(renderMarkdown(result)).toContain('## Conflicts with policies attached outside this tool');
});

test('a snapshot of another organization (its root is not the config\'s) is refused with the file and path', async () => {
  const snapshot = snapshotFixture();
  const other = { ...snapshot, organization: { ...snapshot.organization, roots: [{ id: 'r-9zz9', name: 'Root' }] } };
  await expect(preview(DEFAULT_CONFIG_FILE, other, [])).rejects.toThrow(/^deployed\.json: \$\.organization\.roots: the snapshot's root r-9zz9 is not the config's organization\.rootId r-4f2k/);
});

test('a Region deny that lets the CRI destinations through is no conflict', async () => {
  const snapshot = snapshotFixture('deployed-control-tower.json');
  const regions = ['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2'];
  const widened = {
    ...snapshot,
    policies: snapshot.policies.filter((p) => p.type !== 'BEDROCK_POLICY' || p.name.startsWith('genai-governance-')).map((p) => (p.name !== 'aws-guardrails-RegionDeny' ? p : {
      ...p, content: { ...p.content, Statement: [{ ...(p.content as any).Statement[0], Condition: { StringNotEquals: { 'aws:RequestedRegion': regions } } }] },
    })),
  };
  const result = await preview(DEFAULT_CONFIG_FILE, widened, []);
  expect(result.conflicts).toEqual([]);
});
