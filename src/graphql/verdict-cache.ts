import { createHash } from "node:crypto";

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
 * by entries and by bytes. The key is a digest, so a client sending large variables or a new
 * document on every request costs one fixed-size entry each, and old ones make room.
 */
export class VerdictCache {
  private readonly entries = new Map<string, Verdict>();
  private usedBytes = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.maxEntries = options.maxEntries ?? VERDICT_CACHE_MAX_ENTRIES;
    this.maxBytes = options.maxBytes ?? VERDICT_CACHE_MAX_BYTES;
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
    return this.usedBytes;
  }

  /** undefined when unknown; a hit becomes the most recently used. */
  get(key: string): Verdict | undefined {
    const verdict = this.entries.get(key);
    if (verdict === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, verdict);
    return verdict;
  }

  set(key: string, verdict: Verdict): void {
    const size = sizeOf(key, verdict);
    if (size > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.usedBytes -= sizeOf(key, previous);
    }
    this.entries.set(key, verdict);
    this.usedBytes += size;
    // Map iteration is in insertion order, and get() re-inserts: the first key is the least recently used.
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.usedBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.usedBytes -= sizeOf(oldest, old);
    }
  }
}
