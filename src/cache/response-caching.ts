import type Redis from "ioredis";
import type { KeyValueCache } from "@apollo/utils.keyvaluecache";
import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import type { AppConfig } from "../config";
import type { Logger } from "../http/request-log";
import { installChangeAnnouncer } from "./change-feed";
import { CacheInvalidation } from "./invalidation";
import { SharedPersistedQueries } from "./persisted-queries";
import { createRedis } from "./redis";
import { SharedResponseStore } from "./redis-response-store";
import type { ResponseCacheOptions } from "./response-cache.plugin";
import { LocalResponseStore, type ResponseStore } from "./response-store";

export interface ResponseCaching {
  plugin: ResponseCacheOptions;
  /** Set when REDIS_URL is: persisted queries every instance knows. */
  persistedQueries: KeyValueCache<string> | null;
  store: ResponseStore | null;
  /** The Redis connection, when REDIS_URL is set (shared with other features that keep state there). */
  redis: Redis | null;
  close(): Promise<void>;
}

/**
 * Puts the response cache together: in this process (LRU) without REDIS_URL, in Redis with the
 * local LRU as fallback with it; invalidation by this server's writes, other processes' writes
 * and scheduled instants; persisted queries in Redis when there is one.
 */
export async function createResponseCaching(options: {
  config: AppConfig;
  dataSource: DataSource;
  readDataSource: DataSource;
  clock: Clock;
  logger: Logger;
  onForeignChange?: (keys: readonly string[]) => void;
}): Promise<ResponseCaching> {
  const { config, dataSource, readDataSource, clock, logger, onForeignChange } = options;
  // Commands open the database through openDatabase, which installs it too; a server built on a
  // DataSource opened otherwise still announces its writes.
  installChangeAnnouncer();
  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : null;
  let store: ResponseStore | null = null;
  let invalidation: CacheInvalidation | null = null;
  if (config.cache.responseCache) {
    const local = new LocalResponseStore(config.cache.maxBytes);
    store = redis ? new SharedResponseStore(redis, config.redisPrefix, local, logger) : local;
    invalidation = await CacheInvalidation.start({ database: config.database, dataSource, readDataSource, store, clock, logger, onForeignChange });
  }
  return {
    plugin: { store, schedule: invalidation?.schedule ?? null, header: config.cache.keyHeader },
    persistedQueries: redis ? new SharedPersistedQueries(redis, config.redisPrefix) : null,
    store,
    redis,
    async close() {
      await invalidation?.close();
      store?.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
