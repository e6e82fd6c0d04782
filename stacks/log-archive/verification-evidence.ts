import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { GovernanceConfig } from '../../config/schema';
import {
  EXPECTED_FACTS_KEY, VERIFICATION_REPORT_PREFIX, verifierPrincipalArns,
} from '../../policies/verifier-access';

/** Properties of `admitVerificationEvidence`. */
export interface VerificationEvidenceProps {
  readonly config: GovernanceConfig;
  /** The archive that keeps the evidence (the trail archive). */
  readonly archive: IBucket;
  /** The archive's key. */
  readonly archiveKey: IKey;
  /** The Region the archive is in (`kms:ViaService`). */
  readonly region: string;
}

/**
 * VER-1's evidence in the Object Lock archive: the audit account's daily verification role may write reports under
 * `verification/reports/` (with their Object Lock retention) and read the expected facts; the verify operator role may
 * publish the expected facts (`verification/expected-facts.json`, a new version each time). Nobody else, and neither
 * of them anything else: each statement names the role by `aws:PrincipalArn` within the organization, and the key is
 * usable by them only through S3 in the archive's Region. What is written stays for the archive's retention in
 * compliance mode; overwriting a key only adds a version.
 */
export function admitVerificationEvidence(props: VerificationEvidenceProps): void {
  const { config, archive, archiveKey } = props;
  const [daily, operator] = verifierPrincipalArns(config);
  const as = (arn: string | string[]) => ({ StringEquals: { 'aws:PrincipalOrgID': config.organization.id, 'aws:PrincipalArn': arn } });
  archive.addToResourcePolicy(new PolicyStatement({
    sid: 'VerificationReportsWrite',
    principals: [new AnyPrincipal()],
    actions: ['s3:PutObject', 's3:PutObjectRetention'],
    resources: [archive.arnForObjects(`${VERIFICATION_REPORT_PREFIX}*`)],
    conditions: as(daily),
  }));
  archive.addToResourcePolicy(new PolicyStatement({
    sid: 'VerificationExpectedFactsRead',
    principals: [new AnyPrincipal()],
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resources: [archive.arnForObjects(EXPECTED_FACTS_KEY)],
    conditions: as([daily, operator]),
  }));
  archive.addToResourcePolicy(new PolicyStatement({
    sid: 'VerificationExpectedFactsPublish',
    principals: [new AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [archive.arnForObjects(EXPECTED_FACTS_KEY)],
    conditions: as(operator),
  }));
  archiveKey.addToResourcePolicy(new PolicyStatement({
    sid: 'VerificationEvidenceEncrypt',
    principals: [new AnyPrincipal()],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { StringEquals: { ...as([daily, operator]).StringEquals, 'kms:ViaService': `s3.${props.region}.amazonaws.com` } },
  }));
}
