import type Redis from "ioredis";
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from "@apollo/utils.keyvaluecache";

/** Persisted documents are small; this bounds the local copy. */
const LOCAL_MAX_BYTES = 16 * 1024 * 1024;
/** Apollo sets no lifetime; in Redis a registration lasts a day (clients re-register on a miss). */
const REDIS_TTL_SECONDS = 86_400;

/**
 * Automatic persisted queries shared by every instance: a hash registered on one instance runs
 * by hash on all. Kept in Redis under `<prefix>apq:<hash>` and in a local LRU; while Redis is
 * away, this process answers from (and registers into) its local copy, so a client at worst
 * sends the full document again (PERSISTED_QUERY_NOT_FOUND), as the protocol expects.
 */
export class SharedPersistedQueries implements KeyValueCache<string> {
  private readonly local = new InMemoryLRUCache<string>({ maxSize: LOCAL_MAX_BYTES });

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    if (this.redis.status === "ready") {
      try {
        const value = await this.redis.get(this.prefix + key);
        if (value !== null) return value;
      } catch {
        // Fall through to the local copy.
      }
    }
    return this.local.get(key);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.local.set(key, value, options);
    if (this.redis.status !== "ready") return;
    try {
      await this.redis.set(this.prefix + key, value, "EX", Math.ceil(options?.ttl || REDIS_TTL_SECONDS));
    } catch {
      // Registered locally; other instances learn it when the client sends the document to them.
    }
  }

  async delete(key: string): Promise<boolean | void> {
    await this.local.delete(key);
    if (this.redis.status !== "ready") return;
    try {
      await this.redis.del(this.prefix + key);
    } catch {
      // Nothing to undo.
    }
  }
}
