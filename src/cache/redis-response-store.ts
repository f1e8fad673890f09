import type Redis from "ioredis";
import type { Logger } from "../http/request-log";
import type { LocalResponseStore, CachedResponse, ResponseStore, StoreTicket } from "./response-store";

/**
 * Redis layout under the prefix P (one Redis, not Cluster: the scripts touch keys they compute):
 *   P:rc:gen          generation; a flush (`*`) moves it, so every older entry is unreachable at once
 *   P:rc:seq          invalidation counter; a lookup hands it out as the request's ticket
 *   P:rc:e:<gen>:<id> one response (JSON), expiring with its max-age
 *   P:rc:k:<key>      the entries holding <key>, deleted with them on invalidation
 *   P:rc:i:<key>      the counter value of <key>'s last invalidation, so a request that started
 *                     before it cannot store what it read (remembered for an hour)
 * Each operation is one Lua script: one round trip, and atomic against the others.
 */
const LOOKUP = `
local gen = redis.call('GET', KEYS[1]) or '0'
local seq = redis.call('GET', KEYS[2]) or '0'
local value = redis.call('GET', ARGV[1] .. 'e:' .. gen .. ':' .. ARGV[2])
return {value or false, seq, gen}`;

const STORE = `
local prefix = ARGV[5]
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
local ticket = tonumber(ARGV[2])
for i = 7, #ARGV do
  local last = redis.call('GET', prefix .. 'i:' .. ARGV[i])
  if last and tonumber(last) > ticket then return 0 end
end
local name = prefix .. 'e:' .. ARGV[1] .. ':' .. ARGV[6]
local ttl = tonumber(ARGV[3])
redis.call('SET', name, ARGV[4], 'EX', ttl)
for i = 7, #ARGV do
  local set = prefix .. 'k:' .. ARGV[i]
  redis.call('SADD', set, name)
  if redis.call('TTL', set) < ttl then redis.call('EXPIRE', set, ttl) end
end
return 1`;

const INVALIDATE = `
local seq = redis.call('INCR', KEYS[1])
local prefix = ARGV[1]
for i = 3, #ARGV do
  local key = ARGV[i]
  if key == '*' then
    redis.call('INCR', KEYS[2])
  else
    redis.call('SET', prefix .. 'i:' .. key, seq, 'EX', tonumber(ARGV[2]))
    local set = prefix .. 'k:' .. key
    local names = redis.call('SMEMBERS', set)
    for j = 1, #names, 500 do
      redis.call('DEL', unpack(names, j, math.min(j + 499, #names)))
    end
    redis.call('DEL', set)
  end
end
return seq`;

const INVALIDATION_MEMORY_SECONDS = 3600;
/** An invalidation that takes longer counts as failed: the shared store is bypassed until flushed. */
const INVALIDATE_DEADLINE_MS = 500;
const FLUSH_RETRY_MS = 1_000;

interface CacheCommands {
  responseCacheLookup(gen: string, seq: string, entryPrefix: string, id: string): Promise<[string | null, string, string]>;
  responseCacheStore(gen: string, ...args: (string | number)[]): Promise<number>;
  responseCacheInvalidate(seq: string, gen: string, ...args: (string | number)[]): Promise<number>;
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Responses shared by every instance through Redis, with this process's LocalResponseStore as
 * the fallback. Redis speeds reads up but never decides whether they work: while it is away
 * (or after any failed command) lookups and stores use the local store, invalidations keep
 * reaching the local store, and before Redis is used again it is flushed once, because
 * invalidations may have been missed meanwhile. A fresh process flushes it too on its first
 * connection: it cannot know what changed while no instance was listening.
 */
export class SharedResponseStore implements ResponseStore {
  private dirty = true;
  /** Bumped by every failure; a flush clears `dirty` only if none happened while it ran. */
  private failures = 0;
  private flushing = false;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly commands: CacheCommands;
  private readonly keys: { gen: string; seq: string; base: string };
  private readonly onReady = () => this.flush();
  private readonly onClose = () => this.fail();

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly local: LocalResponseStore,
    private readonly logger: Logger,
  ) {
    const base = `${prefix}rc:`;
    this.keys = { gen: `${base}gen`, seq: `${base}seq`, base };
    redis.defineCommand("responseCacheLookup", { numberOfKeys: 2, lua: LOOKUP });
    redis.defineCommand("responseCacheStore", { numberOfKeys: 1, lua: STORE });
    redis.defineCommand("responseCacheInvalidate", { numberOfKeys: 2, lua: INVALIDATE });
    this.commands = redis as unknown as CacheCommands;
    redis.on("ready", this.onReady);
    redis.on("close", this.onClose);
    if (redis.status === "ready") this.flush();
  }

  /** Whether lookups currently go to Redis (for /readyz-style diagnostics and tests). */
  get shared(): boolean {
    return this.redis.status === "ready" && !this.dirty;
  }

  async lookup(id: string): Promise<{ entry: CachedResponse | undefined; ticket: StoreTicket }> {
    if (this.shared) {
      try {
        const [value, seq, generation] = await this.commands.responseCacheLookup(this.keys.gen, this.keys.seq, this.keys.base, id);
        const ticket: StoreTicket = { seq: Number(seq), origin: "redis", generation };
        if (value === null) return { entry: undefined, ticket };
        const parsed = JSON.parse(value) as { d: CachedResponse["data"]; k: string[]; t: number };
        return { entry: { data: parsed.d, keys: parsed.k, storedAt: parsed.t }, ticket };
      } catch {
        this.fail();
      }
    }
    return this.local.lookup(id);
  }

  async store(id: string, entry: CachedResponse, ttlSeconds: number, ticket: StoreTicket): Promise<boolean> {
    if (ticket.origin === "local") return this.local.store(id, entry, ttlSeconds, ticket);
    if (!this.shared) return false;
    const value = JSON.stringify({ d: entry.data, k: entry.keys, t: entry.storedAt });
    try {
      const stored = await this.commands.responseCacheStore(this.keys.gen, ticket.generation ?? "0", ticket.seq, Math.max(1, Math.ceil(ttlSeconds)), value, this.keys.base, id, ...entry.keys);
      return stored === 1;
    } catch {
      this.fail();
      return false;
    }
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    await this.local.invalidate(keys);
    if (this.redis.status !== "ready") {
      this.fail();
      return;
    }
    try {
      await withDeadline(this.commands.responseCacheInvalidate(this.keys.seq, this.keys.gen, this.keys.base, INVALIDATION_MEMORY_SECONDS, ...keys), INVALIDATE_DEADLINE_MS);
    } catch {
      this.fail();
    }
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.redis.off("ready", this.onReady);
    this.redis.off("close", this.onClose);
    this.local.close();
  }

  private fail(): void {
    this.failures += 1;
    if (!this.dirty) this.logger.warn("shared response cache bypassed until Redis answers again; this process caches locally");
    this.dirty = true;
    if (this.redis.status === "ready") this.flush();
  }

  /** Starts a new generation in Redis, so nothing written before a missed invalidation is served. */
  private flush(): void {
    if (this.flushing || this.closed || !this.dirty) return;
    this.flushing = true;
    const failuresBefore = this.failures;
    withDeadline(this.commands.responseCacheInvalidate(this.keys.seq, this.keys.gen, this.keys.base, INVALIDATION_MEMORY_SECONDS, "*"), INVALIDATE_DEADLINE_MS)
      .then(() => {
        if (this.failures !== failuresBefore) return this.scheduleRetry();
        if (this.dirty) this.logger.info("shared response cache in use (flushed once after a gap)");
        this.dirty = false;
      })
      .catch(() => this.scheduleRetry())
      .finally(() => {
        this.flushing = false;
      });
  }

  private scheduleRetry(): void {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.redis.status === "ready") this.flush();
    }, FLUSH_RETRY_MS);
    this.retry.unref();
  }
}
