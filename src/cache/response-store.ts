import { LRUCache } from "lru-cache";
import { ALL_KEYS } from "../events/content-events";
import { countCacheEviction, reportCacheEntries } from "../ops/metrics";

/** One cached anonymous response: its data and the keys it depends on. */
export interface CachedResponse {
  data: Record<string, unknown>;
  keys: string[];
  /** Epoch ms when it was stored, for the Age header. */
  storedAt: number;
}

/**
 * Taken when a request looks up its entry, before it reads anything: an entry is stored only
 * if none of its keys was invalidated after that moment. A request that read the old text and
 * finishes after an edit's invalidation therefore never puts the old text back.
 */
export interface StoreTicket {
  seq: number;
  /** Which store answered the lookup; the entry goes back to the same one. */
  origin: "local" | "redis";
  /** Redis only: the generation of the namespace (a flush starts a new one). */
  generation?: string;
}

export interface ResponseStore {
  lookup(id: string): Promise<{ entry: CachedResponse | undefined; ticket: StoreTicket }>;
  /** Stores unless a key was invalidated since the ticket was taken; says whether it did. */
  store(id: string, entry: CachedResponse, ttlSeconds: number, ticket: StoreTicket): Promise<boolean>;
  /** Drops every entry holding one of `keys` (`*`: all of them). */
  invalidate(keys: readonly string[]): Promise<void>;
  close(): void;
}

interface LocalEntry extends CachedResponse {
  size: number;
}

/** How long a key's invalidation is remembered for requests still running; longer ones store nothing. */
const INVALIDATION_MEMORY_MS = 10 * 60_000;
const INVALIDATION_MEMORY_ENTRIES = 100_000;

/**
 * The in-process store: a byte-bounded LRU of responses plus an index from key to the entries
 * holding it, so an invalidation touches only those entries. Entries leaving the LRU for any
 * reason leave the index with them.
 */
export class LocalResponseStore implements ResponseStore {
  private seq = 0;
  /** Requests whose ticket is older than this store nothing (memory of invalidations was trimmed). */
  private floor = 0;
  /** Key → sequence number of its last invalidation; in time order (re-set moves a key to the end). */
  private readonly invalidated = new Map<string, { seq: number; at: number }>();
  private readonly index = new Map<string, Set<string>>();
  private readonly lru: LRUCache<string, LocalEntry>;
  private readonly unreport: () => void;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, LocalEntry>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (entry: LocalEntry) => Math.max(1, entry.size),
      // An expired answer is dropped at its expiry, not when the byte budget next needs room:
      // otherwise dead entries pile up to the whole budget (the soak test's RSS grew 40 MB in
      // 8 minutes with 600 live entries) and the process holds memory it can never serve from.
      ttlAutopurge: true,
      dispose: (entry: LocalEntry, id: string, reason: string) => {
        this.unindex(id, entry.keys);
        if (reason === "evict") countCacheEviction();
      },
    });
    this.unreport = reportCacheEntries(() => this.lru.size);
  }

  async lookup(id: string): Promise<{ entry: CachedResponse | undefined; ticket: StoreTicket }> {
    const ticket: StoreTicket = { seq: this.seq, origin: "local" };
    return { entry: this.lru.get(id), ticket };
  }

  async store(id: string, entry: CachedResponse, ttlSeconds: number, ticket: StoreTicket): Promise<boolean> {
    // Everything below runs without yielding, so no invalidation can slip between check and write.
    if (ticket.seq < this.floor) return false;
    for (const key of entry.keys) {
      const last = this.invalidated.get(key);
      if (last && last.seq > ticket.seq) return false;
    }
    const size = Buffer.byteLength(JSON.stringify(entry.data)) + entry.keys.reduce((n, k) => n + k.length, 0);
    this.lru.set(id, { ...entry, size }, { ttl: ttlSeconds * 1_000 });
    for (const key of entry.keys) {
      let ids = this.index.get(key);
      if (!ids) this.index.set(key, (ids = new Set()));
      ids.add(id);
    }
    return true;
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    this.seq += 1;
    if (keys.includes(ALL_KEYS)) {
      this.floor = this.seq;
      this.lru.clear();
      this.index.clear();
      this.invalidated.clear();
      return;
    }
    const now = Date.now();
    for (const key of keys) {
      this.invalidated.delete(key);
      this.invalidated.set(key, { seq: this.seq, at: now });
      const ids = this.index.get(key);
      if (!ids) continue;
      for (const id of [...ids]) this.lru.delete(id);
      this.index.delete(key);
    }
    this.trimMemory(now);
  }

  /** Entries held in memory, expired ones not yet dropped included (for tests and diagnostics). */
  size(): number {
    return this.lru.size;
  }

  close(): void {
    this.unreport();
    this.lru.clear();
    this.index.clear();
  }

  private trimMemory(now: number): void {
    for (const [key, last] of this.invalidated) {
      if (this.invalidated.size <= INVALIDATION_MEMORY_ENTRIES && now - last.at < INVALIDATION_MEMORY_MS) break;
      this.invalidated.delete(key);
      this.floor = Math.max(this.floor, last.seq);
    }
  }

  private unindex(id: string, keys: readonly string[]): void {
    for (const key of keys) {
      const ids = this.index.get(key);
      if (!ids) continue;
      ids.delete(id);
      if (ids.size === 0) this.index.delete(key);
    }
  }
}
