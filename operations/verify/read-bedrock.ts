import { GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import type { AccountSession } from './account-session';
import { invocationLoggingShape } from './facts-invocation-logging';

/**
 * BL-LOG-1: the account × Region's model-invocation logging configuration. None configured, or one without a
 * destination (an empty `loggingConfig`), is found as null: logging is off (drift).
 */
export async function readInvocationLogging(session: AccountSession): Promise<unknown> {
  const { loggingConfig } = await session.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
  if (!loggingConfig || (!loggingConfig.s3Config && !loggingConfig.cloudWatchConfig)) return null;
  return invocationLoggingShape(loggingConfig as Parameters<typeof invocationLoggingShape>[0]);
}
