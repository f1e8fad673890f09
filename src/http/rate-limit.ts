import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type Redis from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { AppConfig, RateLimitRule } from "../config";

export type Decision =
  /** `refund` gives the points back (a request that turned out cheap, such as a cache hit). */
  | { allowed: true; refund?: () => Promise<void> }
  | { allowed: false; retryAfterSeconds: number }
  /** The shared store failed and the limiter is configured to fail closed. */
  | { allowed: false; unavailable: true; retryAfterSeconds: number };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The sustained rate is enforced over the shortest whole-second window that holds a whole
 * number of points: 600/min is 10 points a second, 6/min one point per 10 s, 90/min 3 per 2 s.
 */
export function sustainedWindow(perMinute: number): { points: number; seconds: number } {
  const g = gcd(perMinute, 60);
  return { points: perMinute / g, seconds: 60 / g };
}

export interface LimiterStore {
  /** Shared counters for several instances; null keeps them in this process. */
  redis: Redis | null;
  /** "open": on a Redis failure each process limits on its own (in-memory insurance); "closed": refuse. */
  failure: "open" | "closed";
  prefix: string;
}

const RESERVE_SECONDS = 60;

/**
 * One rule, `perMinute` sustained with `burst` at once, as two rate-limiter-flexible limiters:
 * the sustained window, and a reserve of `burst` minus the window's points that a client draws
 * on when a request does not fit in what is left of the window, refilled once a minute. A client
 * that keeps bursting gets at most `perMinute + burst` points a minute. Counters expire with
 * their window, so memory follows the number of clients seen in the last minute (nothing to evict).
 */
export class RuleLimiter {
  private readonly sustained: RateLimiterAbstract | null;
  private readonly reserve: RateLimiterAbstract | null;
  private readonly windowPoints: number;
  /** The largest price one request can ever be granted: a whole window, or the whole reserve. */
  readonly capacity: number;

  constructor(rule: RateLimitRule, name: string, store: LimiterStore) {
    const enabled = rule.perMinute > 0 && rule.burst > 0;
    const window = enabled ? sustainedWindow(rule.perMinute) : { points: 0, seconds: 1 };
    this.windowPoints = window.points;
    const reservePoints = enabled ? Math.max(0, rule.burst - window.points) : 0;
    this.capacity = enabled ? Math.max(window.points, reservePoints) : Infinity;
    const make = (suffix: string, points: number, duration: number): RateLimiterAbstract => {
      const keyPrefix = `${store.prefix}:${name}${suffix}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      if (!store.redis) return memory;
      return new RateLimiterRedis({
        storeClient: store.redis,
        keyPrefix,
        points,
        duration,
        // Fail at once while Redis is away rather than wait on a command per request.
        rejectIfRedisNotReady: true,
        insuranceLimiter: store.failure === "open" ? memory : undefined,
      });
    };
    this.sustained = enabled ? make("", window.points, window.seconds) : null;
    this.reserve = enabled && reservePoints > 0 ? make(":reserve", reservePoints, RESERVE_SECONDS) : null;
  }

  get enabled(): boolean {
    return this.sustained !== null;
  }

  async take(key: string, points = 1): Promise<Decision> {
    if (!this.sustained || points <= 0) return { allowed: true };
    const refundFrom = (limiter: RateLimiterAbstract) => async () => {
      await limiter.reward(key, points).catch(() => {});
    };
    try {
      await this.sustained.consume(key, points);
      return { allowed: true, refund: refundFrom(this.sustained) };
    } catch (sustainedRefusal) {
      if (!(sustainedRefusal instanceof RateLimiterRes)) return storeFailure();
      // A refused consume still counts; give the points back so what is left of the window
      // stays available to a cheaper request.
      await this.sustained.reward(key, points).catch(() => {});
      if (!this.reserve) return refused(sustainedRefusal.msBeforeNext);
      try {
        await this.reserve.consume(key, points);
        return { allowed: true, refund: refundFrom(this.reserve) };
      } catch (reserveRefusal) {
        if (!(reserveRefusal instanceof RateLimiterRes)) return storeFailure();
        // A price no window can hold is paid from the reserve alone: wait for the reserve.
        const ms = points > this.windowPoints ? reserveRefusal.msBeforeNext : Math.min(sustainedRefusal.msBeforeNext, reserveRefusal.msBeforeNext);
        return refused(ms);
      }
    }
  }
}

function refused(msBeforeNext: number): Decision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
}

function storeFailure(): Decision {
  return { allowed: false, unavailable: true, retryAfterSeconds: 1 };
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

/** Who is asking, as the limiter keys them: the address, and the token's digest when there is one. */
export interface Client {
  address: string;
  token: string | null;
}

export function clientOf(req: IncomingMessage, trustProxy: boolean): Client {
  const authorization = req.headers.authorization;
  return { address: clientAddress(req, trustProxy), token: authorization ? tokenKey(authorization) : null };
}

/**
 * Every request draws on its address's budget, and a request with a bearer token also on the
 * token's. Charging the address even for token requests means inventing a new token per
 * request does not escape the limit. A request is charged its price in points: one when it
 * arrives, the rest once its operation is known and priced (src/http/admission.ts).
 */
export function createRateLimiter(config: AppConfig["rateLimit"], store: LimiterStore) {
  const byAddress = new RuleLimiter(config.perAddress, "address", store);
  const byToken = new RuleLimiter(config.perToken, "token", store);
  return {
    byAddress,
    byToken,
    /** The largest price this client could ever pay; a dearer request can only be refused. */
    capacity(client: Client): number {
      return Math.min(byAddress.capacity, client.token ? byToken.capacity : Infinity);
    },
    async charge(client: Client, points = 1): Promise<Decision> {
      const address = await byAddress.take(`a:${client.address}`, points);
      if (!address.allowed || !client.token) return address;
      const token = await byToken.take(`t:${client.token}`, points);
      if (!token.allowed) return token;
      return {
        allowed: true,
        refund: async () => {
          await Promise.all([address.refund?.(), token.refund?.()]);
        },
      };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
