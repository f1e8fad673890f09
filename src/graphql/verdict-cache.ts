import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";

/** Enough for every (document, variables) pair a site's front end sends, with room to spare. */
export const VERDICT_CACHE_MAX_ENTRIES = 2_000;
/** Keys are fixed-size digests, so this only binds when many verdicts carry long messages. */
export const VERDICT_CACHE_MAX_BYTES = 1024 * 1024;

/** What pricing decided: the price (or null) to run the operation, else the refusal to send again. */
export type Verdict = { message: string; extensions: Record<string, unknown> } | number | null;

/** A JavaScript string costs about two bytes a character; a Map entry a few dozen more. */
const ENTRY_OVERHEAD_BYTES = 64;
const sizeOf = (key: string, verdict: Verdict) =>
  ENTRY_OVERHEAD_BYTES + 2 * (key.length + (verdict !== null && typeof verdict === "object" ? verdict.message.length + JSON.stringify(verdict.extensions).length : 0));

/**
 * Cost verdicts by (document, operation, variables), least recently used first out, bounded
 * by entries and by bytes (lru-cache: a hit moves its entry without rebuilding the table). The
 * key is a digest, so a client sending large variables or a new document on every request
 * costs one fixed-size entry each, and old ones make room.
 */
export class VerdictCache {
  // lru-cache keeps no null values: each verdict travels in a box.
  private readonly entries: LRUCache<string, { verdict: Verdict }>;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.maxEntries = options.maxEntries ?? VERDICT_CACHE_MAX_ENTRIES;
    this.maxBytes = options.maxBytes ?? VERDICT_CACHE_MAX_BYTES;
    this.entries = new LRUCache({ max: this.maxEntries, maxSize: this.maxBytes, sizeCalculation: (box, key) => sizeOf(key, box.verdict) });
  }

  /**
   * `queryHash` is Apollo's digest of the document text. Variables are serialized as sent; their
   * nesting is bounded before they get here (request-shape.ts), so stringify cannot overflow.
   */
  static keyOf(queryHash: string, operationName: string, variables: Record<string, unknown> | undefined): string {
    return createHash("sha256")
      .update(queryHash)
      .update("\0")
      .update(operationName)
      .update("\0")
      .update(JSON.stringify(variables ?? {}))
      .digest("base64url");
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated memory held by the entries. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  /** undefined when unknown; a hit becomes the most recently used. */
  get(key: string): Verdict | undefined {
    return this.entries.get(key)?.verdict;
  }

  /** A verdict larger than the whole byte bound is not kept. */
  set(key: string, verdict: Verdict): void {
    this.entries.set(key, { verdict });
  }
}
