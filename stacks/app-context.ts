/**
 * CDK context every app of this project runs with: written to cdk.json by `.projenrc.ts` and passed to `new App()` by
 * the entry and the tests, so synth behaves the same under the CLI and in jest.
 */
export const APP_CONTEXT = {
  /** Fail synth on CloudFormation validation findings (enum typos, wrong property types), not just warn. */
  '@aws-cdk/core:strictCfnValidateErrors': true,
  /** Server access logs are admitted by a bucket policy for logging.s3.amazonaws.com, not the legacy ACL. */
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
} as const;
