import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AppConfig, RateLimitRule } from "../config";

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type Decision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Token buckets keyed by client. A bucket left alone long enough to refill completely is the
 * same as no bucket, so it is dropped; past `maxBuckets` the least recently used goes too,
 * which keeps memory bounded when an attacker sprays addresses or tokens.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly rule: RateLimitRule,
    private readonly maxBuckets: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refillPerMs = rule.perMinute / 60_000;
  }

  get enabled(): boolean {
    return this.rule.perMinute > 0 && this.rule.burst > 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): Decision {
    if (!this.enabled) return { allowed: true };
    const now = this.now();
    const stored = this.buckets.get(key);
    const bucket = stored ?? { tokens: this.rule.burst, updatedAt: now };
    bucket.tokens = Math.min(this.rule.burst, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    // Re-inserting keeps the map in least-recently-used order for eviction.
    if (stored) this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.evict(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)) };
  }

  private evict(now: number) {
    const fullAfterMs = this.rule.burst / this.refillPerMs;
    for (const [key, bucket] of this.buckets) {
      const idleAndFull = now - bucket.updatedAt >= fullAfterMs;
      if (!idleAndFull && this.buckets.size <= this.maxBuckets) break;
      this.buckets.delete(key);
    }
  }
}

/** Never keep a bearer token: its digest is enough to tell callers apart. */
export function tokenKey(authorization: string): string {
  return createHash("sha256").update(authorization).digest("base64url").slice(0, 32);
}

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",").map((hop) => hop.trim()).filter(Boolean);
    // The last hop is the one our own proxy appended; earlier ones are whatever the client claimed.
    if (hops.length) return hops[hops.length - 1];
  }
  return req.socket.remoteAddress ?? "unknown";
}

/**
 * Every request draws on its address's bucket, and a request with a bearer token also on the
 * token's bucket. Charging the address even for token requests means inventing a new token per
 * request does not escape the limit.
 */
export function createRateLimiter(config: AppConfig["rateLimit"], now?: () => number) {
  const byAddress = new TokenBuckets(config.perAddress, config.maxBuckets, now);
  const byToken = new TokenBuckets(config.perToken, config.maxBuckets, now);
  return {
    byAddress,
    byToken,
    check(req: IncomingMessage): Decision {
      const address = byAddress.take(clientAddress(req, config.trustProxy));
      if (!address.allowed) return address;
      const authorization = req.headers.authorization;
      return authorization ? byToken.take(tokenKey(authorization)) : { allowed: true };
    },
  };
}
