import Redis from "ioredis";
import type { Logger } from "../http/request-log";

/**
 * One Redis connection per process, shared by every feature that keeps state there (response
 * cache, persisted queries, rate limits, invalidation messages). Redis is an accelerator, never
 * a dependency of reads: commands fail fast while it is away (no offline queue, one retry) so
 * callers can fall back, and the client keeps reconnecting in the background.
 */
export function createRedis(url: string, logger: Logger, name = "content-api"): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: { message: error.message } }, "redis unavailable; shared cache and limits fall back to this process");
  });
  redis.on("ready", () => {
    if (down) logger.info("redis available again");
    down = false;
  });
  return redis;
}
