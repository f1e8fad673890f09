import type { ContentEvent } from "../events/content-events";
import { WEBHOOK_EVENT_TYPES, WebhookEvent } from "../entities/webhook.entity";

/**
 * Which content events are announced to webhook endpoints, and in what words. Endpoints are
 * for purging and revalidating what the public sees, so the rule is: announce a change to
 * something that is (or was, until this change) publicly visible. Drafts, scheduled articles
 * before their instant, new authors or tags nobody links to yet, and bulk loads say nothing.
 */
export type AnnouncedType = (typeof WEBHOOK_EVENT_TYPES)[WebhookEvent];
export const TEST_EVENT_TYPE = "webhook.test";

export const subscriptionOf = Object.fromEntries(Object.entries(WEBHOOK_EVENT_TYPES).map(([value, type]) => [type, value])) as Record<AnnouncedType, WebhookEvent>;

/** An article as it stands at the end of the writing transaction. */
export interface ArticleState {
  id: number;
  slug: string;
  status: string;
  publishedAt: Date | null;
  deletedAt: Date | null;
  authorId: number;
  authorSlug: string;
}

export const isLiveAt = (state: ArticleState, at: Date): boolean =>
  state.status === "published" && state.deletedAt === null && state.publishedAt !== null && state.publishedAt.getTime() <= at.getTime();

/** Published, not deleted, with an instant still to come: it is announced when that instant comes. */
export const isScheduledAt = (state: ArticleState, at: Date): boolean =>
  state.status === "published" && state.deletedAt === null && state.publishedAt !== null && state.publishedAt.getTime() > at.getTime();

/** The type an endpoint is told, or null when this change is not announced. */
export function announcedTypeOf(event: ContentEvent, state: ArticleState | undefined): AnnouncedType | null {
  switch (event.type) {
    case "author.updated":
      return "author.updated";
    case "tag.updated":
      return "tag.updated";
    case "article.published":
      return state && isLiveAt(state, event.occurredAt) ? "article.published" : null;
    case "article.updated":
      return state && isLiveAt(state, event.occurredAt) ? "article.updated" : null;
    case "article.restored":
      return state && isLiveAt(state, event.occurredAt) ? "article.restored" : null;
    case "article.unpublished":
      // Unpublishing keeps publishedAt: a past instant means the article was live until now.
      return state && state.status === "draft" && state.deletedAt === null && state.publishedAt !== null && state.publishedAt <= event.occurredAt
        ? "article.unpublished"
        : null;
    case "article.deleted":
      // Deleting keeps status and publishedAt: live before the deletion means it was public.
      return state && state.deletedAt !== null && state.status === "published" && state.publishedAt !== null && state.publishedAt <= event.occurredAt
        ? "article.deleted"
        : null;
    default:
      return null;
  }
}

export interface Announcement {
  type: AnnouncedType;
  event: ContentEvent;
}

/** The JSON body: `{ type, timestamp, data }`, data carrying ids, slugs, the surrogate keys to purge and when the change happened. */
export function bodyOf(announcement: Announcement, state: ArticleState | undefined, tags: { id: number; slug: string }[], writtenAt: Date): string {
  const { event, type } = announcement;
  const data: Record<string, unknown> =
    event.entity === "article" && state
      ? {
          id: String(state.id),
          slug: state.slug,
          publishedAt: state.publishedAt?.toISOString() ?? null,
          author: { id: String(state.authorId), slug: state.authorSlug },
          tags: tags.map((tag) => ({ id: String(tag.id), slug: tag.slug })),
        }
      : { id: String(event.id), slug: event.slug };
  data.keys = event.keys;
  data.occurredAt = event.occurredAt.toISOString();
  return JSON.stringify({ type, timestamp: writtenAt.toISOString(), data });
}

export function testBodyOf(webhookId: number, at: Date): string {
  return JSON.stringify({ type: TEST_EVENT_TYPE, timestamp: at.toISOString(), data: { webhookId: String(webhookId), keys: [], occurredAt: at.toISOString() } });
}
