import type { EntityManager } from "typeorm";
import { timestampParam, toDate } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import { onBeforeCommit } from "../db/write-lock";
import { WebhookDelivery, WebhookDeliveryStatus } from "../entities/webhook-delivery.entity";
import { articleChangeKeys, type ContentEvent } from "../events/content-events";
import { newMessageId } from "./signing";
import { announcedTypeOf, bodyOf, isLiveAt, isScheduledAt, subscriptionOf, type Announcement, type ArticleState } from "./webhook-events";

/**
 * The transactional outbox. Inside every write transaction that recorded content events,
 * before it commits: one webhook_deliveries row per (announced event, subscribed active
 * endpoint). The rows commit or roll back with the change, so an endpoint is never told about
 * a change that did not happen, and a change that committed is delivered even if the process
 * dies the instant after (the worker finds the row on its next poll, here or elsewhere).
 *
 * The same hook keeps webhook_publish_schedule in step: one row per article scheduled for a
 * future instant, removed when the article is published now, unpublished, deleted or moved.
 */
let installed = false;

export function installWebhookOutbox(): void {
  if (installed) return;
  installed = true;
  onBeforeCommit(writeOutbox);
}

async function articleStates(manager: EntityManager, ids: number[]): Promise<Map<number, ArticleState>> {
  if (ids.length === 0) return new Map();
  const rows = await queryNamed<Record<string, unknown>>(
    manager,
    `SELECT a.id, a.slug, a.status, a.published_at, a.deleted_at, a.author_id, au.slug AS author_slug
     FROM articles a JOIN authors au ON au.id = a.author_id WHERE a.id IN (:...ids)`,
    { ids },
  );
  return new Map(
    rows.map((row) => [
      Number(row.id),
      {
        id: Number(row.id),
        slug: String(row.slug),
        status: String(row.status),
        publishedAt: toDate(row.published_at),
        deletedAt: toDate(row.deleted_at),
        authorId: Number(row.author_id),
        authorSlug: String(row.author_slug),
      },
    ]),
  );
}

async function tagsOf(manager: EntityManager, ids: number[]): Promise<Map<number, { id: number; slug: string }[]>> {
  const byArticle = new Map<number, { id: number; slug: string }[]>();
  if (ids.length === 0) return byArticle;
  const rows = await queryNamed<{ article_id: number; id: number; slug: string }>(
    manager,
    `SELECT at.article_id, t.id, t.slug FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (:...ids) ORDER BY at.article_id, at.position`,
    { ids },
  );
  for (const row of rows) {
    const list = byArticle.get(Number(row.article_id)) ?? [];
    list.push({ id: Number(row.id), slug: String(row.slug) });
    byArticle.set(Number(row.article_id), list);
  }
  return byArticle;
}

/**
 * Brings the schedule rows of the written articles in line with their state, and returns
 * the `article.published` announcements of scheduled instants that passed before the
 * scheduler got to them (an edit in the same millisecond must not swallow the publish).
 */
async function keepSchedule(manager: EntityManager, events: readonly ContentEvent[], states: Map<number, ArticleState>): Promise<Announcement[]> {
  const ds = manager.connection;
  const latest = new Map<number, ContentEvent>();
  for (const event of events) if (event.entity === "article" && states.has(event.id)) latest.set(event.id, event);
  if (latest.size === 0) return [];
  const pending = await queryNamed<{ article_id: number; publish_at: unknown }>(
    manager,
    `SELECT article_id, publish_at FROM webhook_publish_schedule WHERE article_id IN (:...ids)`,
    { ids: [...latest.keys()] },
  );
  const pendingAt = new Map(pending.map((row) => [Number(row.article_id), toDate(row.publish_at)!]));
  const missed: Announcement[] = [];
  for (const [id, event] of latest) {
    const state = states.get(id)!;
    const at = event.occurredAt;
    const existing = pendingAt.get(id) ?? null;
    const wanted = isScheduledAt(state, at) ? state.publishedAt : null;
    const publishedHere = events.some((e) => e.entity === "article" && e.id === id && e.type === "article.published");
    if (existing && !wanted && !publishedHere && isLiveAt(state, at) && state.publishedAt!.getTime() === existing.getTime()) {
      missed.push({ type: "article.published", event: { type: "article.published", entity: "article", id, slug: state.slug, keys: [], occurredAt: existing } });
    }
    if (wanted && (!existing || wanted.getTime() !== existing.getTime())) {
      await queryNamed(
        manager,
        `INSERT INTO webhook_publish_schedule (article_id, publish_at) VALUES (:id, :at) ON CONFLICT (article_id) DO UPDATE SET publish_at = excluded.publish_at`,
        { id, at: timestampParam(ds, wanted) },
      );
    } else if (!wanted && existing) {
      await queryNamed(manager, `DELETE FROM webhook_publish_schedule WHERE article_id = :id`, { id });
    }
  }
  return missed;
}

export async function writeOutbox(manager: EntityManager, events: readonly ContentEvent[]): Promise<void> {
  const articleIds = [...new Set(events.filter((e) => e.entity === "article" && e.id > 0).map((e) => e.id))];
  const states = await articleStates(manager, articleIds);
  const announcements = await keepSchedule(manager, events, states);
  for (const event of events) {
    const type = announcedTypeOf(event, event.entity === "article" ? states.get(event.id) : undefined);
    if (type) announcements.push({ type, event });
  }
  if (announcements.length === 0) return;

  const endpoints = await queryNamed<{ id: number; events: string }>(manager, `SELECT id, events FROM webhooks WHERE active = TRUE ORDER BY id`, {});
  const targets = announcements.map((announcement) => ({
    announcement,
    endpointIds: endpoints.filter((e) => String(e.events).split(",").includes(subscriptionOf[announcement.type])).map((e) => Number(e.id)),
  }));
  if (!targets.some((t) => t.endpointIds.length > 0)) return;

  const tags = await tagsOf(manager, [...new Set(targets.filter((t) => t.endpointIds.length && t.announcement.event.entity === "article").map((t) => t.announcement.event.id))]);
  const writtenAt = new Date();
  const rows: Partial<WebhookDelivery>[] = [];
  for (const { announcement, endpointIds } of targets) {
    if (endpointIds.length === 0) continue;
    const { event } = announcement;
    const state = event.entity === "article" ? states.get(event.id) : undefined;
    const articleTags = state ? (tags.get(state.id) ?? []) : [];
    if (state && event.keys.length === 0) {
      // An instant announced late: everything a newly live article appears in.
      event.keys = articleChangeKeys(null, { ...state, tagIds: articleTags.map((t) => t.id) }, { text: true });
    }
    const payload = bodyOf(announcement, state, articleTags, writtenAt);
    for (const webhookId of endpointIds) {
      rows.push({
        webhookId,
        messageId: newMessageId(),
        eventType: announcement.type,
        payload,
        status: WebhookDeliveryStatus.PENDING,
        attempts: 0,
        nextAttemptAt: writtenAt,
        claimedUntil: null,
        claimedBy: null,
        lastError: null,
        lastStatusCode: null,
        latencyMs: null,
        createdAt: writtenAt,
        lastAttemptAt: null,
        deliveredAt: null,
      });
    }
  }
  await manager.getRepository(WebhookDelivery).insert(rows);
}
