import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import { timestampParam, toDate } from "../db/dialect";
import { execute, queryNamed } from "../db/named-sql";
import { writeTransaction } from "../db/write-lock";
import { articleChangeKeys, recordContentEvent } from "../events/content-events";
import type { Logger } from "../http/request-log";

/** setTimeout's ceiling (about 24.8 days); a later instant is re-armed by the poll. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Announces `article.published` when a scheduled article's instant comes. The pending instants
 * are rows of webhook_publish_schedule, kept by the outbox hook; a timer is armed for the
 * earliest, the worker's poll looks too (instants scheduled through another instance, and
 * everything that came due while the server was down, at start-up). A row is removed in the
 * transaction that records the announcement, so each instant is announced exactly once, by
 * whichever instance removes it first.
 */
export class PublishSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly batchSize: number,
  ) {}

  /** Announces whatever is due, then re-arms the timer. Calls while one runs are folded into one more round. */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.again = false;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) void this.check();
    });
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        const now = this.clock.now();
        const due = await queryNamed<{ id: number; article_id: number }>(
          this.reader,
          `SELECT id, article_id FROM webhook_publish_schedule WHERE publish_at <= :now ORDER BY publish_at, id LIMIT :limit`,
          { now: timestampParam(this.reader, now), limit: this.batchSize },
        );
        for (const row of due) {
          if (this.stopped) return;
          await this.announce(Number(row.id), Number(row.article_id), now);
        }
        if (due.length === this.batchSize) this.again = true;
      } while (this.again && !this.stopped);
      await this.arm();
    } catch (error) {
      this.logger.error({ err: error }, "webhook publish schedule check failed");
    }
  }

  private async announce(rowId: number, articleId: number, now: Date): Promise<void> {
    await writeTransaction(this.dataSource, async (manager) => {
      const ds = manager.connection;
      // The claim: only one instance removes the row, and a row moved to a later instant meanwhile stays.
      const claimed = await execute(manager, `DELETE FROM webhook_publish_schedule WHERE id = :id AND publish_at <= :now`, { id: rowId, now: timestampParam(ds, now) });
      if (claimed.affected !== 1) return;
      const [article] = await queryNamed<Record<string, unknown>>(
        manager,
        `SELECT id, slug, status, published_at, deleted_at, author_id FROM articles WHERE id = :id`,
        { id: articleId },
      );
      const publishedAt = toDate(article?.published_at);
      if (!article || article.status !== "published" || article.deleted_at !== null || !publishedAt || publishedAt > now) return;
      const tagIds = (await queryNamed<{ tag_id: number }>(manager, `SELECT tag_id FROM article_tags WHERE article_id = :id ORDER BY position`, { id: articleId })).map((r) =>
        Number(r.tag_id),
      );
      const membership = { id: articleId, authorId: Number(article.author_id), tagIds, status: "published", publishedAt, deletedAt: null };
      // Its lists, counts and search change at this instant; the outbox hook turns this into deliveries.
      recordContentEvent(manager, {
        type: "article.published",
        entity: "article",
        id: articleId,
        slug: String(article.slug),
        keys: articleChangeKeys(null, membership, { text: true }),
        occurredAt: publishedAt,
        article: { status: "published", publishedAt, deletedAt: null, authorId: membership.authorId, tagIds },
      });
    });
  }

  /** Sets the timer for the earliest pending instant. */
  async arm(): Promise<void> {
    if (this.stopped) return;
    const [row] = await queryNamed<{ next: unknown }>(this.reader, `SELECT MIN(publish_at) AS next FROM webhook_publish_schedule`, {});
    const next = toDate(row?.next);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!next || this.stopped) return;
    const delay = Math.min(Math.max(next.getTime() - this.clock.now().getTime(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check();
    }, delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
