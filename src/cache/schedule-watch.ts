import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import { timestampParam, toDate } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import { ALL_KEYS } from "../events/content-events";
import { goLiveKeys, type WentLive } from "../events/event-keys";

/**
 * Articles that go live later than their last write: scheduled ones. A publish that is live at
 * once (published_at <= updated_at) was invalidated by its write and is not watched again.
 */
const SCHEDULED = `status = 'published' AND deleted_at IS NULL AND published_at > updated_at`;

/** More articles than this going live between two reads: drop everything rather than list them. */
const MAX_GONE_LIVE = 1_000;

/**
 * A scheduled article goes live at its instant with no write happening then, so no event says
 * so. Every instance watches the earliest pending instant itself; the first read at or after
 * it invalidates, before looking anything up, the keys of what the article(s) now appear in
 * (lists, search, their tags' and author's lists, articles picking them). Checked against the
 * read's own clock, so a cached list never outlives the instant, on any instance.
 */
export class ScheduleWatch {
  private nextAt: Date | null = null;
  /** Go-lives up to this instant have been applied. */
  private appliedUpTo: Date;
  private catching: Promise<void> | null = null;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    clock: Clock,
    private readonly apply: (keys: readonly string[]) => Promise<void>,
  ) {
    this.appliedUpTo = clock.now();
    void this.refresh();
  }

  /** Resolves once every instant up to `now` has been applied; immediate when none has come. */
  async beforeRead(now: Date): Promise<void> {
    while (this.nextAt && now >= this.nextAt) {
      this.catching ??= this.catchUp(now).finally(() => {
        this.catching = null;
      });
      await this.catching;
    }
  }

  /** After any change (own or another process's): a new schedule may be earlier than the one watched. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      try {
        const [row] = await queryNamed<{ next: unknown }>(
          this.dataSource,
          `SELECT MIN(published_at) AS next FROM articles WHERE ${SCHEDULED} AND published_at > :appliedUpTo`,
          { appliedUpTo: timestampParam(this.dataSource, this.appliedUpTo) },
        );
        this.nextAt = toDate(row?.next);
      } catch {
        // The database is away; reads fail too. The next change or read tries again.
      }
    });
    return this.refreshing;
  }

  private async catchUp(now: Date): Promise<void> {
    let keys: readonly string[];
    try {
      const rows = await queryNamed<{ id: number; author_id: number }>(
        this.dataSource,
        `SELECT id, author_id FROM articles WHERE ${SCHEDULED}
          AND published_at > :from AND published_at <= :to ORDER BY published_at LIMIT ${MAX_GONE_LIVE + 1}`,
        { from: timestampParam(this.dataSource, this.appliedUpTo), to: timestampParam(this.dataSource, now) },
      );
      if (rows.length > MAX_GONE_LIVE) {
        keys = [ALL_KEYS];
      } else if (rows.length === 0) {
        keys = [];
      } else {
        const tagRows = await queryNamed<{ article_id: number; tag_id: number }>(
          this.dataSource,
          `SELECT article_id, tag_id FROM article_tags WHERE article_id IN (:...ids)`,
          { ids: rows.map((r) => Number(r.id)) },
        );
        const live: WentLive[] = rows.map((r) => ({ id: Number(r.id), authorId: Number(r.author_id), tagIds: [] }));
        const byId = new Map(live.map((a) => [a.id, a]));
        for (const t of tagRows) byId.get(Number(t.article_id))?.tagIds.push(Number(t.tag_id));
        keys = await goLiveKeys(this.dataSource, live);
      }
    } catch {
      // Cannot tell what went live: nothing cached may outlive the instant.
      keys = [ALL_KEYS];
    }
    if (keys.length > 0) await this.apply(keys);
    if (now > this.appliedUpTo) this.appliedUpTo = now;
    this.nextAt = null;
    await this.refresh();
  }
}
