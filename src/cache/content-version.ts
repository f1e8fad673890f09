import type { DataSource } from "typeorm";
import { queryNamed, timestampParam, toDate } from "../db/dialect";
import { onWriteCommitted } from "../db/write-lock";

/**
 * A number that changes whenever the content may have changed. Response cache keys include
 * it, so a write makes every older entry unreachable at once (the bounded LRU then drops
 * them): no stale article after an edit, and no bookkeeping of which response read what.
 *
 * Writes through this server bump it on commit. Writes by another process (the seed
 * command) are noticed by polling SQLite's `data_version`, which changes only when another
 * connection commits.
 */
export class ContentVersion {
  private version = 0;
  /** The next instant a scheduled article goes live: cached answers must not outlive it. */
  private nextScheduledAt: Date | null = null;
  private lastDataVersion: number | null = null;
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout | null;

  constructor(private readonly dataSource: DataSource, pollMs = 1000) {
    this.unsubscribe = onWriteCommitted((ds) => {
      if (ds === dataSource) this.bump();
    });
    const sqlite = dataSource.options.type === "sqlite" || dataSource.options.type === "better-sqlite3";
    this.timer = sqlite && pollMs > 0 ? setInterval(() => void this.poll(), pollMs) : null;
    this.timer?.unref();
    void this.refreshSchedule(new Date());
  }

  /** The version as of `now`; passing a scheduled instant counts as a change of content. */
  async at(now: Date): Promise<number> {
    if (this.nextScheduledAt && now >= this.nextScheduledAt) {
      this.nextScheduledAt = null;
      this.version += 1;
      await this.refreshSchedule(now);
    }
    return this.version;
  }

  bump(): void {
    this.version += 1;
    void this.refreshSchedule(new Date());
  }

  async refreshSchedule(now: Date): Promise<void> {
    try {
      const rows = await queryNamed<{ next: unknown }>(
        this.dataSource,
        `SELECT MIN(published_at) AS next FROM articles WHERE status = 'published' AND deleted_at IS NULL AND published_at > :now`,
        { now: timestampParam(this.dataSource, now) },
      );
      this.nextScheduledAt = toDate(rows[0]?.next);
    } catch {
      this.nextScheduledAt = null;
    }
  }

  private async poll(): Promise<void> {
    try {
      const [row] = await this.dataSource.query("PRAGMA data_version");
      const value = Number(row?.data_version);
      if (this.lastDataVersion !== null && value !== this.lastDataVersion) this.bump();
      this.lastDataVersion = value;
    } catch {
      // A closed or busy database: the next tick tries again.
    }
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }
}
