import { parseChatSettings, type ChatSettings } from './chat-settings';
import { MAX_SETTINGS_MS } from './turn-clock';

/** The settings a turn runs with, where they came from, and why not from AppConfig when they did not. */
export interface ActiveSettings {
  readonly settings: ChatSettings;
  /** `appconfig`: the deployed version; `last-good`: the last valid deployed version; `defaults`: the built-in settings. */
  readonly source: 'appconfig' | 'last-good' | 'defaults';
  /** Why the deployed version is not in use (unreadable or invalid), for the logs. */
  readonly problem?: string;
  /** The deployed version was read and is invalid (not merely unreadable): the `SettingsRejected` metric. */
  readonly rejected?: boolean;
}

/** Properties of `SettingsSource`. */
export interface SettingsSourceProps {
  /**
   * Reads the deployed configuration, parsed JSON (Powertools Parameters' `AppConfigProvider.get` with `transform: 'json'`,
   * which caches it for its `maxAge` and polls AppConfig's data plane with its session tokens).
   *
   * @default - none: the defaults always
   */
  readonly fetch?: () => Promise<unknown>;
  /** The approved profiles callable from the Region: the only ids a version may name. */
  readonly allowedProfiles: readonly string[];
  /** The built-in settings (the first hosted version's content). */
  readonly defaults: ChatSettings;
  /**
   * How long a read may take when the caller gives no time of its own; past it, the last good version or the defaults
   * (the read goes on in the background and fills the provider's cache for a later turn).
   *
   * @default MAX_SETTINGS_MS (1 s)
   */
  readonly timeoutMs?: number;
}

/**
 * The tenant's settings for each turn: the deployed AppConfig version when it is readable and valid
 * (`parseChatSettings`: the validator's schema, the allowed profiles, the budget rules' order); otherwise the last valid
 * version this container read; otherwise the defaults. A bad version therefore never reaches a model call, and an
 * AppConfig outage (refused, failing or hanging: `timeoutMs`) never stops the chat. A value already checked (the provider's cache returns the same object) is not
 * checked again.
 */
export class SettingsSource {
  private lastGood: ChatSettings | undefined;
  private lastValue: unknown;
  private lastResult: ActiveSettings | undefined;

  constructor(private readonly props: SettingsSourceProps) {
    parseOrThrow(props.defaults, props.allowedProfiles);
  }

  /** The settings of one turn; an AppConfig that does not answer within `timeoutMs` counts as unreadable. */
  async current(timeoutMs = this.props.timeoutMs ?? MAX_SETTINGS_MS): Promise<ActiveSettings> {
    if (!this.props.fetch) return { settings: this.props.defaults, source: 'defaults' };
    let value: unknown;
    try {
      value = await withTimeout(this.props.fetch(), timeoutMs);
    } catch (error) {
      return this.fallback(`AppConfig unreadable: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
    if (value === this.lastValue && this.lastResult) return this.lastResult;
    const parsed = parseChatSettings(value, this.props.allowedProfiles);
    const result: ActiveSettings = parsed.ok
      ? { settings: parsed.settings, source: 'appconfig' }
      : { ...this.fallback(`AppConfig version invalid: ${parsed.problems.slice(0, 5).join('; ')}`), rejected: true };
    if (parsed.ok) this.lastGood = parsed.settings;
    this.lastValue = value;
    this.lastResult = result;
    return result;
  }

  private fallback(problem: string): ActiveSettings {
    return this.lastGood ? { settings: this.lastGood, source: 'last-good', problem } : { settings: this.props.defaults, source: 'defaults', problem };
  }
}

function parseOrThrow(settings: ChatSettings, allowedProfiles: readonly string[]): void {
  const parsed = parseChatSettings(settings, allowedProfiles);
  if (!parsed.ok) throw new Error(`the default chat settings are invalid: ${parsed.problems.join('; ')}`);
}

/** `promise`, or a `TimeoutError` after `ms` (the promise itself is left to settle; its rejection is ignored). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
