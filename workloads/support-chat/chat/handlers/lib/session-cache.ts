/** Properties of `SessionCache`. */
export interface SessionCacheProps<V> {
  /** The most entries kept; setting one more evicts the least recently used. */
  readonly maxEntries: number;
  /** An entry is not served within this many milliseconds of its expiry (credentials still valid for the call that uses them). */
  readonly refreshMarginMs: number;
  /** Called with each value evicted, expired or replaced (to close its connections). @default nothing */
  readonly dispose?: (value: V) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * A bounded least-recently-used cache of values that expire (a user's session: assumed-role credentials and the client
 * made with them). A `Map` keeps insertion order, so re-inserting on each hit makes its first key the least recently
 * used. Bounded, a container that serves many users holds at most `maxEntries` sessions, not one per user it ever saw.
 */
export class SessionCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly expires: number }>();
  private readonly now: () => number;

  constructor(private readonly props: SessionCacheProps<V>) {
    if (!Number.isInteger(props.maxEntries) || props.maxEntries < 1) throw new RangeError(`maxEntries must be a whole number of at least 1, not ${props.maxEntries}`);
    this.now = props.now ?? Date.now;
  }

  /** How many entries are kept. */
  get size(): number {
    return this.entries.size;
  }

  /** The value of `key` while it is more than `refreshMarginMs` from its expiry (then it becomes the most recently used). */
  public get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires - this.props.refreshMarginMs <= this.now()) {
      this.props.dispose?.(entry.value);
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` until `expires` (milliseconds since the epoch), evicting the least recently used entry when full. */
  public set(key: string, value: V, expires: number): void {
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      if (previous.value !== value) this.props.dispose?.(previous.value);
    }
    this.entries.set(key, { value, expires });
    while (this.entries.size > this.props.maxEntries) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { value: V }];
      this.entries.delete(oldest);
      this.props.dispose?.(entry.value);
    }
  }
}
