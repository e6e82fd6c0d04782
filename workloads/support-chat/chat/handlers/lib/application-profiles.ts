/**
 * The tenant's application inference profiles (docs/adr/0035-application-inference-profiles-held-to-the-geography.md):
 * the platform makes one per model role in the tenant's account, each over the role's approved system profile and tagged
 * for cost allocation. The turn keeps naming system profiles everywhere (settings, breakers, metrics, logs, costs) and
 * sends the application profile's ARN as the `modelId` of the Bedrock call only, so the spend is billed with its tags.
 */

/** System profile id (`eu.<model>`) to the ARN of the application profile that wraps it. */
export type ApplicationProfiles = Readonly<Record<string, string>>;

/**
 * An application inference profile's ARN, as Bedrock's `InferenceProfileArn` pattern has it, in the commercial, China
 * and GovCloud partitions (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetInferenceProfile.html).
 */
const APPLICATION_PROFILE_ARN = /^arn:aws(-cn|-us-gov)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:application-inference-profile\/[a-zA-Z0-9]{1,64}$/;

/**
 * `APPLICATION_PROFILES` (JSON), checked: an object whose every key is one of `allowedProfiles` (the system profiles a
 * settings version may name) and whose every value is an application profile's ARN. Throws naming what is wrong: a
 * malformed map is a configuration error, found at cold start, never at a turn.
 */
export function parseApplicationProfiles(json: string, allowedProfiles: readonly string[]): ApplicationProfiles {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('APPLICATION_PROFILES must be JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('APPLICATION_PROFILES must be a JSON object of system profile ids to application profile ARNs');
  }
  const profiles: Record<string, string> = {};
  for (const [profile, arn] of Object.entries(parsed)) {
    if (!allowedProfiles.includes(profile)) throw new Error(`APPLICATION_PROFILES names ${profile}, which is not an allowed profile`);
    if (typeof arn !== 'string' || !APPLICATION_PROFILE_ARN.test(arn)) {
      throw new Error(`APPLICATION_PROFILES: ${profile} must map to an application inference profile ARN, not ${JSON.stringify(arn)}`);
    }
    profiles[profile] = arn;
  }
  return profiles;
}

/**
 * The `modelId` a Bedrock call of `profile` sends: the application profile that wraps it, else the system profile itself
 * (a settings version may name an allowed profile no role wraps: still governed, not attributed to the tenant's tags).
 */
export function invokedModelId(profile: string, profiles: ApplicationProfiles | undefined): string {
  return profiles !== undefined && Object.hasOwn(profiles, profile) ? profiles[profile] : profile;
}
