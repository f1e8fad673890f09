import Redis from "ioredis";
import type { Logger } from "../http/request-log";

/**
 * One Redis connection per process, shared by every feature that keeps state there (response
 * cache, persisted queries, rate limits, invalidation messages). Redis is an accelerator, never
 * a dependency of reads: commands fail fast while it is away (no offline queue, one retry) so
 * callers can fall back, and the client keeps reconnecting in the background.
 */
/** Outages per server: the clients of one process (cache, rate limits) report one outage once. */
const outages = new Map<string, boolean>();

export function createRedis(url: string, logger: Logger, name = "content-api"): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on("error", (error: Error) => {
    if (outages.get(url)) return;
    outages.set(url, true);
    logger.warn({ err: { message: error.message } }, "redis unavailable; shared cache and limits fall back to this process");
  });
  redis.on("ready", () => {
    if (outages.get(url)) logger.info("redis available again");
    outages.set(url, false);
  });
  return redis;
}
