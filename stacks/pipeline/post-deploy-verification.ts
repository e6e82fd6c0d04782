import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, type IFileSetProducer } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { VERIFY_STEP_ROLE_NAME } from './pipeline-role-names';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { trailArchiveBucketName } from '../../contracts/archive-names';
import { EXPECTED_FACTS_KEY, VERIFY_OPERATOR_ROLE_NAME } from '../../policies/verifier-access';

/** The pipeline stage after the last estate wave, and its one step (the CodePipeline action's name). */
export const VERIFICATION_STAGE = 'Verify';
export const VERIFY_STEP = 'VerifyEstate';
/** Where the step copies its reports in the pipeline's artifact bucket, by CodeBuild build. */
export const VERIFY_REPORT_PREFIX = 'verification';

export interface PostDeployVerificationProps {
  readonly config: GovernanceConfig;
  /** The project's source: the commit's own verifier and facts writer run. */
  readonly input: IFileSetProducer;
  /** The synth step: its primary output is the assembly (`cdk.out`) the estate was deployed from. */
  readonly assembly: IFileSetProducer;
  /** The config file, relative to the project root. */
  readonly configFile: string;
  /** The pipeline's artifact bucket, resolved once the pipeline is built: the reports are copied there. */
  readonly reportBucketName: () => string;
}

/**
 * The step after the last estate wave (docs/verification.md, docs/adr/0034-tenant-release-by-golden-set-and-canary.md):
 * with the credentials of the audit account's operator role `genai-governance-verify-operator` (the only role its
 * CodeBuild role may assume; the operator role trusts it by `aws:PrincipalArn`), it
 * 1. writes the expected facts of the deployed assembly (`operations/verify/verify-facts-cli.ts`) and publishes them as
 *    a new version of `verification/expected-facts.json` in the trail archive, where the daily verification reads them;
 * 2. runs `npx projen verify -- --format all`: every account's verifier role, the JSON, Markdown and HTML reports;
 * 3. copies the reports to `s3://<artifact bucket>/verification/<build id>/` with its own credentials, whatever
 *    the verdict, and exits with the verifier's status: a drift or an unreadable fact (exit 1), or a run that could not
 *    start (exit 2), fails the pipeline run. The reports are also the step's output artifact when it passes.
 */
export function postDeployVerificationStep(scope: Construct, props: PostDeployVerificationProps): CodeBuildStep {
  const stack = Stack.of(scope);
  const audit = accountIdOf(props.config, props.config.topology.audit);
  const operatorRoleArn = `arn:${stack.partition}:iam::${audit}:role/${VERIFY_OPERATOR_ROLE_NAME}`;
  const role = new iam.Role(scope, 'VerifyRole', {
    roleName: VERIFY_STEP_ROLE_NAME,
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    description: 'The pipeline\'s post-deploy verification: assumes the audit account\'s verify operator role, nothing else',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'AssumeTheVerifyOperator', actions: ['sts:AssumeRole'], resources: [operatorRoleArn] }));
  const reportUrl = Lazy.string({ produce: () => `s3://${props.reportBucketName()}/${VERIFY_REPORT_PREFIX}` });
  return new CodeBuildStep(VERIFY_STEP, {
    input: props.input,
    additionalInputs: { 'cdk.out': props.assembly },
    role,
    env: {
      GOVERNANCE_CONFIG: props.configFile,
      OPERATOR_ROLE_ARN: operatorRoleArn,
      ARCHIVE_BUCKET: trailArchiveBucketName(props.config),
      FACTS_KEY: EXPECTED_FACTS_KEY,
      REPORT_URL: reportUrl,
    },
    commands: [
      'npm ci',
      // One command: CodeBuild runs each line in the same shell, and the last `exit` must end the phase with the verdict.
      [
        'mkdir -p verify-out',
        'aws sts assume-role --role-arn "$OPERATOR_ROLE_ARN" --role-session-name "pipeline-verify-${CODEBUILD_BUILD_NUMBER:-0}" --query Credentials --output json > operator.json || { echo "Cannot assume $OPERATOR_ROLE_ARN: nothing verified"; exit 2; }',
        'status=0',
        '(',
        '  export AWS_ACCESS_KEY_ID="$(node -p \'require("./operator.json").AccessKeyId\')" AWS_SECRET_ACCESS_KEY="$(node -p \'require("./operator.json").SecretAccessKey\')" AWS_SESSION_TOKEN="$(node -p \'require("./operator.json").SessionToken\')"',
        '  npx ts-node --transpile-only -P tsconfig.json operations/verify/verify-facts-cli.ts --out verify-out/expected-facts.json || exit 2',
        '  aws s3api put-object --bucket "$ARCHIVE_BUCKET" --key "$FACTS_KEY" --body verify-out/expected-facts.json --checksum-algorithm SHA256 || exit 2',
        '  npx projen verify -- --format all --out verify-out',
        ') || status=$?',
        'rm -f operator.json',
        'run="${CODEBUILD_BUILD_ID##*:}"',
        'aws s3 cp --recursive verify-out "$REPORT_URL/$run/" || echo "The reports could not be copied to $REPORT_URL/$run/"',
        'if [ "$status" -ne 0 ]; then echo "Verification failed (exit $status): read verify-report.md in $REPORT_URL/$run/"; fi',
        'exit "$status"',
      ].join('\n'),
    ],
    primaryOutputDirectory: 'verify-out',
  });
}
