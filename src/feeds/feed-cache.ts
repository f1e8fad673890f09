import { InMemoryLRUCache } from "@apollo/utils.keyvaluecache";
import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import { timestampParam, toDate } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import { onWriteCommitted } from "../db/write-lock";
import { ALL_KEYS, type ContentEvent } from "../events/content-events";
import { etagOf } from "../http/caching";

/** A rendered feed or sitemap with its validators, as served and as cached. */
export interface FeedResponse {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Whole seconds: when this exact body was first produced (HTTP dates have no milliseconds). */
  lastModified: number;
  /** What the `Surrogate-Key` header lists: the content-event keys that make this response stale. */
  surrogateKeys: string[];
  /** Keys whose events drop the cached copy: the surrogate keys plus wildcards (`article:*`). */
  deps: string[];
  maxAge: number;
  /** Clock milliseconds after which the cached copy is not served. */
  expiresAt: number;
}

export interface ProducedResponse {
  body: string;
  contentType: string;
  surrogateKeys: string[];
  deps: string[];
  maxAge: number;
  /** An earlier end of validity than maxAge (the news sitemap's oldest item leaving its 48 hours). */
  expiresAt?: number;
}

/** Entity keys (`article:42`) also reach entries that depend on any entity of the kind (`article:*`). */
const ENTITY_KEY = /^(article|author|tag):\d+$/;
const wildcardOf = (key: string): string | null => {
  const m = ENTITY_KEY.exec(key);
  return m ? `${m[1]}:*` : null;
};

const NEXT_SCHEDULED_SQL = `SELECT MIN(published_at) AS next FROM articles WHERE status = 'published' AND deleted_at IS NULL AND published_at > :now`;

/**
 * The feeds' response cache: bounded (an LRU by bytes), with per-key invalidation from content
 * events instead of a global version, so an edit to one article drops only the feeds that print it
 * (and the sitemaps), not every tag and author feed. Entries also end at their max-age by the
 * injected clock (which bounds staleness after writes made by another process, as GraphQL's cache
 * does) and all at once when a scheduled article's instant passes, since no event marks that.
 *
 * Validators outlive cached bodies: Last-Modified is when a body was first produced, so a copy
 * rebuilt with the same bytes keeps its date and If-Modified-Since still answers 304.
 */
export class FeedCache {
  private readonly lru: InMemoryLRUCache<FeedResponse> | null;
  private readonly validators = new InMemoryLRUCache<{ etag: string; lastModified: number }>({ maxSize: 10_000, sizeCalculation: () => 1 });
  /** Key → cache keys of the entries that depend on it; kept in step by the LRU's dispose. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly inflight = new Map<string, Promise<FeedResponse | null>>();
  /** Moves on every invalidation: a response produced across one is served but not kept. */
  private epoch = 0;
  private nextScheduledAt: Date | null = null;
  private scheduledSinceRefresh: Date | null = null;
  private scheduleTicket = 0;
  private readonly unsubscribe: () => void;

  private constructor(private readonly options: { enabled: boolean; maxBytes: number; writer: DataSource; reader: DataSource; clock: Clock }) {
    this.lru = options.enabled
      ? new InMemoryLRUCache<FeedResponse>({
          maxSize: options.maxBytes,
          sizeCalculation: (entry) => entry.body.length + 64 * entry.deps.length + 256,
          dispose: (entry, cacheKey) => this.unindex(cacheKey, entry.deps),
        })
      : null;
    this.unsubscribe = onWriteCommitted((dataSource, events) => {
      if (dataSource === options.writer && events.length > 0) this.onEvents(events);
    });
  }

  static async start(options: { enabled: boolean; maxBytes: number; writer: DataSource; reader: DataSource; clock: Clock }): Promise<FeedCache> {
    const cache = new FeedCache(options);
    await cache.refreshSchedule(options.clock.now());
    return cache;
  }

  /**
   * The cached response for `key`, or the one `produce` makes (null: nothing to serve, not kept).
   * Concurrent misses for one key share a single production.
   */
  async get(key: string, now: Date, produce: () => Promise<ProducedResponse | null>): Promise<FeedResponse | null> {
    this.passScheduledInstant(now);
    if (!this.lru) return this.finish(key, now, this.epoch, await produce());
    const hit = await this.lru.get(key);
    if (hit && hit.expiresAt > now.getTime()) return hit;
    const flight = `${key}@${this.epoch}`;
    const running = this.inflight.get(flight);
    if (running) return running;
    const started = this.epoch;
    const work = produce().then((produced) => this.finish(key, now, started, produced));
    this.inflight.set(flight, work);
    try {
      return await work;
    } finally {
      this.inflight.delete(flight);
    }
  }

  /** Drops every entry depending on one of these keys (`*`: everything). */
  invalidate(keys: readonly string[]): void {
    this.epoch += 1;
    if (!this.lru) return;
    if (keys.includes(ALL_KEYS)) return this.clear();
    const targets = new Set<string>();
    for (const key of keys) {
      targets.add(key);
      const wildcard = wildcardOf(key);
      if (wildcard) targets.add(wildcard);
    }
    for (const key of targets) {
      for (const cacheKey of [...(this.dependents.get(key) ?? [])]) void this.lru.delete(cacheKey);
    }
  }

  close(): void {
    this.unsubscribe();
    this.clear();
  }

  private async finish(key: string, now: Date, started: number, produced: ProducedResponse | null): Promise<FeedResponse | null> {
    if (!produced) return null;
    const body = Buffer.from(produced.body, "utf8");
    const etag = etagOf(produced.body);
    const previous = await this.validators.get(key);
    const lastModified = previous?.etag === etag ? previous.lastModified : Math.floor(now.getTime() / 1000) * 1000;
    if (previous?.etag !== etag) await this.validators.set(key, { etag, lastModified });
    const entry: FeedResponse = {
      body,
      contentType: produced.contentType,
      etag,
      lastModified,
      surrogateKeys: produced.surrogateKeys,
      deps: produced.deps,
      maxAge: produced.maxAge,
      expiresAt: Math.min(now.getTime() + produced.maxAge * 1000, produced.expiresAt ?? Number.POSITIVE_INFINITY),
    };
    if (this.lru && this.epoch === started) {
      // Remove the old copy (and its index rows) first, then index and store in the same turn, so
      // an event can never fall between indexing and storing.
      await this.lru.delete(key);
      if (this.epoch === started) {
        for (const dep of entry.deps) {
          let set = this.dependents.get(dep);
          if (!set) this.dependents.set(dep, (set = new Set()));
          set.add(key);
        }
        void this.lru.set(key, entry);
      }
    }
    return entry;
  }

  private unindex(cacheKey: string, deps: string[]): void {
    for (const dep of deps) {
      const set = this.dependents.get(dep);
      if (!set) continue;
      set.delete(cacheKey);
      if (set.size === 0) this.dependents.delete(dep);
    }
  }

  private clear(): void {
    this.lru?.clear();
    this.dependents.clear();
  }

  private onEvents(events: readonly ContentEvent[]): void {
    const now = this.options.clock.now();
    let refresh = false;
    for (const event of events) {
      this.invalidate(event.keys);
      if (event.type === "content.bulk") refresh = true;
      const article = event.article;
      if (article && article.status === "published" && !article.deletedAt && article.publishedAt && article.publishedAt > now) {
        this.nextScheduledAt = earliest(this.nextScheduledAt, article.publishedAt);
        this.scheduledSinceRefresh = earliest(this.scheduledSinceRefresh, article.publishedAt);
      }
    }
    if (refresh) void this.refreshSchedule(now);
  }

  /** A scheduled article going live changes lists no event told us about: start over. */
  private passScheduledInstant(now: Date): void {
    if (!this.nextScheduledAt || now < this.nextScheduledAt) return;
    this.nextScheduledAt = null;
    this.epoch += 1;
    this.clear();
    void this.refreshSchedule(now);
  }

  /** The next scheduled instant after `now`; one statement, charged to no request. */
  private async refreshSchedule(now: Date): Promise<void> {
    const ticket = ++this.scheduleTicket;
    this.scheduledSinceRefresh = null;
    try {
      const { reader } = this.options;
      const rows = await queryNamed<{ next: unknown }>(reader, NEXT_SCHEDULED_SQL, { now: timestampParam(reader, now) });
      if (ticket === this.scheduleTicket) this.nextScheduledAt = earliest(toDate(rows[0]?.next), this.scheduledSinceRefresh);
    } catch {
      // A closing or busy database: entries still end at their max-age.
    }
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}
