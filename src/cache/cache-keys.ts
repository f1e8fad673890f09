import DataLoader from "dataloader";
import { ARTICLE_LISTS_KEY, articlesOfKey, cardKey, entityKey, kindKey, listKeyOf } from "../events/content-events";

/**
 * The keys one response depends on, filled by the request's loaders as they read: entity keys
 * for what it shows (`article:42`), list keys for what decides which entities it shows
 * (`articles`, `tag:7:articles`, `search`, `authors`). A write says which keys it made stale
 * (src/events/content-events.ts); caches drop exactly the entries holding one of them.
 * Null for token holders, whose answers are never cached.
 */
export type KeyRecorder = Set<string> | null;

interface KeyRecording<K, V> {
  keys: KeyRecorder;
  /** Counts as a read of this key whenever the loader is asked for `key` (primed or not). */
  onLoad?: (key: K) => string;
  /** Counts as a read of what the loader answered. */
  onResult?: (keys: Set<string>, value: V, key: K) => void;
}

/**
 * A DataLoader that records, as it is asked, the keys of what the response read. A subclass,
 * not a `load` assigned onto a DataLoader: a function stored into an object after it is made
 * gives that object a hidden class of its own, which V8 keeps in old space until a full
 * collection, and with it the request it points into (see graphql/gateway-request-context.ts).
 */
export class KeyRecordingLoader<K, V, C = K> extends DataLoader<K, V, C> {
  constructor(
    batch: DataLoader.BatchLoadFn<K, V>,
    private readonly recording: KeyRecording<K, V>,
    options?: DataLoader.Options<K, V, C>,
  ) {
    super(batch, options);
  }

  override load(key: K): Promise<V> {
    const { keys, onLoad, onResult } = this.recording;
    if (!keys) return super.load(key);
    if (onLoad) keys.add(onLoad(key));
    const loaded = super.load(key);
    return onResult
      ? loaded.then((value) => {
          onResult(keys, value, key);
          return value;
        })
      : loaded;
  }
}

export const ENTITY_LISTS = { article: ARTICLE_LISTS_KEY, author: listKeyOf("author"), tag: listKeyOf("tag") } as const;

/**
 * A found entity's key, or for a lookup by slug that found nothing (or nothing visible) the key
 * of the listing a new or renamed entity enters: a publish, a new tag, a slug change send it.
 */
export function recordFound(keys: Set<string>, kind: "article" | "author" | "tag", found: { id: number } | null | undefined): void {
  keys.add(found ? entityKey(kind, found.id) : ENTITY_LISTS[kind]);
}

export { articlesOfKey, cardKey, entityKey, kindKey };

export interface KeyHeaderOptions {
  /** `Surrogate-Key` (Fastly, Varnish xkey-style) or `Cache-Tag` (Cloudflare), or another name. */
  name: string;
  /** Space for Surrogate-Key; Cloudflare's Cache-Tag takes a comma-separated list. */
  separator: string;
  /** The header value is kept under this many bytes by collapsing keys (see formatKeyHeader). */
  maxBytes: number;
}

/** Groups of keys, each with the broader key every change in the group also sends. */
const COLLAPSE: { match: RegExp; to: string }[] = [
  { match: /^article:\d+(:card)?$/, to: kindKey("article") },
  { match: /^(author|tag):\d+:articles$/, to: ARTICLE_LISTS_KEY },
  { match: /^tag:\d+$/, to: kindKey("tag") },
  { match: /^author:\d+$/, to: kindKey("author") },
];

/**
 * The key header's value: every key when they fit in `maxBytes`; otherwise the largest group
 * of specific keys is replaced by its broader key, then the next, until it fits. Each broader
 * key is sent by every change of its group (`article:all` by every article change, `articles`
 * by every change of any article list), so a purge still reaches the response, only sooner
 * than strictly needed.
 */
export function formatKeyHeader(keys: readonly string[], options: KeyHeaderOptions): string {
  const sorted = [...keys].sort();
  const joined = sorted.join(options.separator);
  if (Buffer.byteLength(joined) <= options.maxBytes) return joined;
  let current = new Set(sorted);
  const pending = [...COLLAPSE];
  while (pending.length > 0) {
    const sizes = pending.map((group) => [...current].filter((k) => group.match.test(k)).reduce((n, k) => n + k.length + 1, 0));
    const largest = sizes.indexOf(Math.max(...sizes));
    const [group] = pending.splice(largest, 1);
    current = new Set([...current].map((k) => (group.match.test(k) ? group.to : k)));
    const value = [...current].sort().join(options.separator);
    if (Buffer.byteLength(value) <= options.maxBytes) return value;
  }
  // Only the list and kind keys are left (a handful); a limit below them is a misconfiguration.
  return [...current].sort().join(options.separator);
}
