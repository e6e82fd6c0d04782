import { replayActivity, type ActivityReplay } from './activity-replay';
import type { LoadedRecord } from './cloudtrail-files';
import { findConflicts, type Conflict } from './conflicts';
import { ControlIds } from './control-ids';
import { decisionCases } from './decision-cases';
import { findFlips, type Flip } from './decision-flips';
import { InputError } from './input-error';
import { OrgEvaluator } from './org-evaluator';
import { diffPolicies, type TargetDiff } from './policy-diff';
import { deployedSide, proposedSide } from './policy-sets';
import type { Snapshot } from './snapshot-schema';
import type { GovernanceConfig } from '../../config/schema';

/** The preview's JSON format version (docs/policy-preview.md#preview-schema). */
export const PREVIEW_SCHEMA_VERSION = 1;

export interface Preview {
  readonly schemaVersion: typeof PREVIEW_SCHEMA_VERSION;
  /** Whether this tool's policies or their attachments would change. */
  readonly changed: boolean;
  readonly config: string;
  readonly deployed: { readonly file: string; readonly takenAt: string; readonly unsupportedTypes: string[] };
  readonly diff: TargetDiff[];
  readonly decisions: { readonly evaluated: number; readonly flips: Flip[] };
  /** Absent when no activity was given. */
  readonly activity?: ActivityReplay;
  readonly conflicts: Conflict[];
}

export interface PreviewInputs {
  readonly config: GovernanceConfig;
  readonly configFile: string;
  readonly snapshot: Snapshot;
  readonly snapshotFile: string;
  readonly activityFiles: readonly string[];
  readonly records: readonly LoadedRecord[];
}

/**
 * The preview: the deployed policies (the snapshot) against what the config compiles to, with the snapshot's policies
 * of other owners on both sides; the diff, the decision cases that flip, the recorded calls that would be blocked,
 * and the known conflicts with policies attached outside this tool.
 */
export async function buildPreview(inputs: PreviewInputs): Promise<Preview> {
  const { config, snapshot } = inputs;
  const roots = snapshot.organization.roots.map((r) => r.id);
  if (!roots.includes(config.organization.rootId)) {
    throw new InputError(inputs.snapshotFile, '$.organization.roots', `the snapshot's root ${roots.join(', ') || '(none)'} is not the config's `
      + `organization.rootId ${config.organization.rootId}: a snapshot of another organization, or the wrong config`);
  }
  const deployed = deployedSide(snapshot);
  const proposed = proposedSide(config, snapshot);
  const diff = diffPolicies(deployed, proposed);
  // AWS managed policies allow everything; the evaluator puts FullAWSAccess at every level (and iam-simulate refuses
  // RCPFullAWSAccess's Allow), so they stay out of the evaluation.
  const before = new OrgEvaluator(config, deployed.filter((p) => !p.awsManaged));
  const after = new OrgEvaluator(config, proposed.filter((p) => !p.awsManaged));
  const controls = new ControlIds(config);
  const cases = await decisionCases(config, deployed);
  const flips = await findFlips(cases, before, after, controls);
  const activity = inputs.activityFiles.length > 0
    ? await replayActivity(config, inputs.activityFiles, inputs.records, before, after, controls) : undefined;
  return {
    schemaVersion: PREVIEW_SCHEMA_VERSION,
    changed: diff.length > 0,
    config: inputs.configFile,
    deployed: {
      file: inputs.snapshotFile,
      takenAt: snapshot.takenAt,
      unsupportedTypes: Object.entries(snapshot.policyTypes).filter(([, s]) => s.status === 'unsupported').map(([t]) => t),
    },
    diff,
    decisions: { evaluated: cases.length, flips },
    ...(activity && { activity }),
    conflicts: findConflicts(config, deployed, proposed),
  };
}
