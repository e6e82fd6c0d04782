/**
 * How the repository tests the reader of each call the verifier makes, for the report's "how each check was verified"
 * section: against the pinned moto server (the call is really sent and its answer parsed; `drift` says whether a test
 * also changes what the call finds and expects the one finding) or against a recorded AWS response (where no emulator
 * serves the call: the test replays a response recorded from AWS and names itself "recorded response"). Neither is
 * proof of what AWS enforces: only a run against AWS's endpoints reads the deployed estate.
 */

export type ProofKind = 'emulator' | 'recorded-response';

export interface CheckProof {
  /** `service:Action` as `actionOf` takes it from a finding's `call`. */
  readonly action: string;
  readonly proof: ProofKind;
  /** Whether a test injects a drift this call finds (not only a clean read). */
  readonly driftInjected: boolean;
  /** The test file, relative to the repository. */
  readonly test: string;
}

const MOTO_SUITE = 'test/operations/verify/verify-moto.test.ts';
/** The AWS-managed detective controls' readers, on moto with emulators/moto's Security Hub and Config extensions. */
const DETECTIVE_SUITE = 'test/operations/verify/detective-moto.test.ts';

export const CHECK_PROOFS: readonly CheckProof[] = [
  { action: 'organizations:DescribePolicy', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'organizations:ListTargetsForPolicy', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'cloudtrail:GetTrail', proof: 'emulator', driftInjected: false, test: MOTO_SUITE },
  { action: 'cloudtrail:GetTrailStatus', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'cloudtrail:GetEventSelectors', proof: 'emulator', driftInjected: false, test: MOTO_SUITE },
  { action: 's3:GetObjectLockConfiguration', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'cloudwatch:DescribeAlarms', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'ssm:GetParameters', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'glue:GetTable', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'lakeformation:GetLFTag', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'lakeformation:GetResourceLFTags', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'lakeformation:ListPermissions', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'bedrock:GetModelInvocationLoggingConfiguration', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'macie2:ListOrganizationAdminAccounts', proof: 'emulator', driftInjected: false, test: MOTO_SUITE },
  { action: 'macie2:ListClassificationJobs, macie2:DescribeClassificationJob', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'lakeformation:GetDataLakeSettings', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  // BR-GR-1: moto 5.2.5 has neither guardrails nor the Bedrock policy type; emulators/moto/bedrock_guardrail_extension.py
  // adds both, and the moto suite reads them and injects a policy naming the DRAFT. What the reader makes of the members
  // AWS adds beyond them is shown on recorded responses (test/operations/verify/guardrail-recorded.test.ts).
  { action: 'organizations:DescribePolicy, bedrock:ListGuardrails, bedrock:GetGuardrail', proof: 'emulator', driftInjected: true, test: MOTO_SUITE },
  { action: 'securityhub:GetEnabledStandards', proof: 'emulator', driftInjected: true, test: DETECTIVE_SUITE },
  { action: 'config:DescribeConfigurationRecorders, config:DescribeConfigurationRecorderStatus', proof: 'emulator', driftInjected: true, test: DETECTIVE_SUITE },
  { action: 'config:DescribeOrganizationConformancePackStatuses', proof: 'emulator', driftInjected: true, test: DETECTIVE_SUITE },
  {
    action: 'macie2:DescribeOrganizationConfiguration, macie2:GetAutomatedDiscoveryConfiguration',
    proof: 'emulator',
    driftInjected: true,
    test: MOTO_SUITE,
  },
];

/**
 * The action or actions of a finding's call: `service:Action subject` → `service:Action`;
 * `service:A, service:B` (one fact read with two calls) → `service:A, service:B`.
 */
export function actionOf(call: string): string {
  return /^[\w-]+:\w+(, [\w-]+:\w+)*/.exec(call)?.[0] ?? call;
}
