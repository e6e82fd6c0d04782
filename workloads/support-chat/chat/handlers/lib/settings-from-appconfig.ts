import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { defaultChatSettings } from './chat-settings';
import { SettingsSource, type ActiveSettings } from './settings-source';
import type { TenantModels } from '../../../tenant/tenant-models';
import type { TurnEnvironment } from '../../chat-wiring';

/** Wraps each AWS SDK client a handler makes (Tracer's `captureAWSv3Client` in Lambda: a subsegment per call). */
export type Instrument = <C extends object>(client: C) => C;

/** What the settings are read with: the approved profiles, the config's models and the tenant's AppConfig ids. */
export type SettingsEnvironment = Partial<Pick<TurnEnvironment,
  'ALLOWED_PROFILES' | 'MODELS' | 'APPCONFIG_APPLICATION' | 'APPCONFIG_ENVIRONMENT' | 'APPCONFIG_PROFILE' | 'APPCONFIG_ENDPOINT' | 'APPCONFIG_MAX_AGE_SECONDS'>>;

function required(env: SettingsEnvironment, name: 'ALLOWED_PROFILES' | 'MODELS'): string {
  const value = env[name];
  if (!value) throw new Error(`the function needs ${name} in its environment`);
  return value;
}

/**
 * The settings in force, for the turn and the relay alike: AppConfig's deployed version through Powertools Parameters (`AppConfigProvider`, which keeps
 * the data plane's session and caches the value for `APPCONFIG_MAX_AGE_SECONDS`), checked by `SettingsSource` against
 * the approved profiles; the config's models with the built-in settings when AppConfig is not configured or unusable.
 */
export function settingsFromAppConfig(
  env: SettingsEnvironment, region: string | undefined, instrument: Instrument,
): (timeoutMs?: number) => Promise<ActiveSettings> {
  const allowedProfiles = JSON.parse(required(env, 'ALLOWED_PROFILES')) as string[];
  const defaults = defaultChatSettings(JSON.parse(required(env, 'MODELS')) as TenantModels);
  const { APPCONFIG_APPLICATION: application, APPCONFIG_ENVIRONMENT: environment, APPCONFIG_PROFILE: profile } = env;
  let fetch: (() => Promise<unknown>) | undefined;
  if (application && environment && profile) {
    const maxAge = Number(env.APPCONFIG_MAX_AGE_SECONDS ?? 45);
    const provider = new AppConfigProvider({
      application,
      environment,
      awsSdkV3Client: instrument(new AppConfigDataClient({ region, endpoint: env.APPCONFIG_ENDPOINT })),
    });
    fetch = () => provider.get(profile, { maxAge, transform: 'json' });
  }
  const source = new SettingsSource({ fetch, allowedProfiles, defaults });
  // The caller's time for the read (the turn's `turnTimeouts`), else the source's default.
  return (timeoutMs) => source.current(timeoutMs);
}
