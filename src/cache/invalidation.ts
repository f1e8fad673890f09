import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import type { DatabaseConfig } from "../config";
import { onWriteCommitted } from "../db/write-lock";
import type { Logger } from "../http/request-log";
import { keysOf, watchForeignChanges, type ForeignChanges } from "./change-feed";
import type { ResponseStore } from "./response-store";
import { ScheduleWatch } from "./schedule-watch";

export interface CacheInvalidationOptions {
  database: DatabaseConfig;
  dataSource: DataSource;
  readDataSource: DataSource;
  store: ResponseStore;
  clock: Clock;
  logger: Logger;
  /** Other caches of this process (feeds) that must hear what other processes changed. */
  onForeignChange?: (keys: readonly string[]) => void;
}

/**
 * Brings the response store in line with every change, wherever it was made: this server's
 * commits (before the mutation answers), other processes' commits (change feed), and
 * scheduled instants passing (schedule watch, checked by each read).
 */
export class CacheInvalidation {
  readonly schedule: ScheduleWatch;
  private readonly unsubscribe: () => void;
  private foreign: ForeignChanges | null = null;

  private constructor(private readonly options: CacheInvalidationOptions) {
    const { dataSource, readDataSource, store, clock } = options;
    this.schedule = new ScheduleWatch(readDataSource, clock, (keys) => store.invalidate(keys));
    this.unsubscribe = onWriteCommitted(async (committedBy, events) => {
      if (committedBy !== dataSource) return;
      // A write that says nothing (bookkeeping, or rows written without the services) drops
      // nothing, but may still have set a schedule: the watched instant is looked up again.
      if (events.length === 0) return this.schedule.refresh();
      await this.changed(keysOf(events));
    });
  }

  static async start(options: CacheInvalidationOptions): Promise<CacheInvalidation> {
    const invalidation = new CacheInvalidation(options);
    invalidation.foreign = await watchForeignChanges({
      database: options.database,
      writer: options.dataSource,
      reader: options.readDataSource,
      logger: options.logger,
      onChange: (keys) => {
        options.onForeignChange?.(keys);
        return invalidation.changed(keys);
      },
    });
    return invalidation;
  }

  private async changed(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.options.store.invalidate(keys);
    } catch (error) {
      this.options.logger.error({ err: error }, "response cache invalidation failed");
    }
    // The change may have scheduled an article earlier than the instant being watched.
    await this.schedule.refresh();
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.foreign?.close();
  }
}
