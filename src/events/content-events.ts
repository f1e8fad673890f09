import type { EntityManager, QueryRunner } from "typeorm";

/**
 * What a committed write changed, said once by the code that made the change (services, the
 * importer, the synthetic generator) and heard by everything that must react: response caches
 * (drop the entries holding these keys), other instances (the same, through the database's
 * notification channel), webhook endpoints (an outbox row written in the same transaction).
 * Bookkeeping writes (a token's last use, a revision row) say nothing, so they invalidate nothing.
 */
export type ContentEventType =
  | "article.created"
  | "article.updated"
  | "article.published"
  | "article.scheduled"
  | "article.unpublished"
  | "article.deleted"
  | "article.restored"
  | "author.created"
  | "author.updated"
  | "author.deleted"
  | "tag.created"
  | "tag.updated"
  | "tag.deleted"
  /** Many rows at once (synthetic loads): its keys say what may be stale (`*` for everything). */
  | "content.bulk";

export interface ContentEvent {
  type: ContentEventType;
  entity: "article" | "author" | "tag" | "content";
  /** 0 for content.bulk. */
  id: number;
  slug: string | null;
  /**
   * Surrogate keys whose cached answers this change makes stale: entity keys (`article:42`,
   * `author:3`, `tag:7`) and list keys (`articles`, `search`, `tag:7:articles`,
   * `author:3:articles`, `authors`, `tags`). `*` means everything. Before the commit the write
   * door completes them (src/events/event-keys.ts): the kind key (`article:all`) and, when an
   * article enters or leaves the lists, the articles that pick it as related.
   */
  keys: string[];
  occurredAt: Date;
  /** For articles: the state after the change, so a consumer can tell live from scheduled. */
  article?: { status: string; publishedAt: Date | null; deletedAt: Date | null; authorId: number; tagIds: number[] };
}

export const ALL_KEYS = "*";

/** The key of one entity's own cached answers. */
export const entityKey = (entity: "article" | "author" | "tag", id: number): string => `${entity}:${id}`;
/**
 * The key of an article's card: what a reference to it elsewhere shows (slug, title, date,
 * image, author, tags), as a related link or a list entry of titles. An answer that shows an
 * article only as a card depends on this key instead of `article:<id>`, so an edit of its lead
 * or body keeps the pages that merely link to it.
 */
export const cardKey = (articleId: number): string => `article:${articleId}:card`;
/** The key of the lists an entity's articles appear in (tag and author pages, their counts). */
export const articlesOfKey = (entity: "author" | "tag", id: number): string => `${entity}:${id}:articles`;
/** Any article list or count whose membership or order can change: home page, filters, related pools. */
export const ARTICLE_LISTS_KEY = "articles";
export const SEARCH_KEY = "search";
/** The author and tag listings (`authors`, `tags`): membership and name order. */
export const listKeyOf = (entity: "author" | "tag"): string => `${entity}s`;
/**
 * Every change of an entity kind carries it: what a response depends on when it depends on
 * any article at all (lists ordered by updatedAt), and the broader key a too-long key header
 * falls back to (src/cache/cache-keys.ts).
 */
export const kindKey = (entity: "article" | "author" | "tag"): string => `${entity}:all`;

/** Keys an author or tag write makes stale: the entity's own answers and the listings it is in. */
export function personOrTagKeys(entity: "author" | "tag", id: number): string[] {
  return [entityKey(entity, id), listKeyOf(entity)];
}

/** Where an article stands for list membership: who wrote it, its tags, and whether and when it is live. */
export interface ArticleMembership {
  id: number;
  /** A new slug makes an article reachable where lookups found nothing, like a publish does. */
  slug?: string;
  authorId: number;
  tagIds: number[];
  status: string;
  publishedAt: Date | null;
  deletedAt: Date | null;
}

function membershipSignature(m: ArticleMembership): string {
  return [m.slug ?? "", m.authorId, [...m.tagIds].sort((a, b) => a - b).join(","), m.status, m.publishedAt?.getTime() ?? "", m.deletedAt ? 1 : 0].join("|");
}

/** Whether the public lists show the article at `now` (cached answers are the public's). */
function listedAt(m: ArticleMembership | null, now: Date | undefined): boolean {
  if (!m) return false;
  if (!now) return true;
  return m.status === "published" && m.deletedAt === null && m.publishedAt !== null && m.publishedAt.getTime() <= now.getTime();
}

/** What an article write changed besides membership: its text, and what its card shows. */
export interface ArticleChange {
  text: boolean;
  /** Title, image or time zone (the rest of the card is membership); unknown counts as changed. */
  card?: boolean;
}

/**
 * Keys an article write makes stale. Its own key always; its card's when the card changed;
 * the lists it was or is now in only when membership or order can have changed (status, date,
 * deletion, author, tags, slug); search when its text or membership changed. Given `now`, only
 * an article the public lists before or after the write touches lists, cards and search: a
 * draft's edits stay with its own key, and a schedule reaches the lists at its instant
 * (src/cache/schedule-watch.ts).
 */
export function articleChangeKeys(before: ArticleMembership | null, after: ArticleMembership, changed: ArticleChange, now?: Date): string[] {
  const keys = new Set<string>([entityKey("article", after.id)]);
  const public_ = listedAt(before, now) || listedAt(after, now);
  if (now && !public_) return [...keys];
  const membershipChanged = before === null || membershipSignature(before) !== membershipSignature(after);
  if (membershipChanged || changed.card !== false) keys.add(cardKey(after.id));
  if (membershipChanged) {
    keys.add(ARTICLE_LISTS_KEY);
    keys.add(SEARCH_KEY);
    for (const m of before ? [before, after] : [after]) {
      keys.add(articlesOfKey("author", m.authorId));
      for (const tagId of m.tagIds) keys.add(articlesOfKey("tag", tagId));
    }
  }
  if (changed.text) keys.add(SEARCH_KEY);
  return [...keys];
}

/** The events of each open write transaction, by its connection (writeTransaction opens the list). */
const pending = new WeakMap<QueryRunner, ContentEvent[]>();

/**
 * Records a change made by the write transaction `manager` belongs to. Outside one (a dry run)
 * there is nothing that will commit, so nothing is recorded.
 */
export function recordContentEvent(manager: EntityManager, event: ContentEvent): void {
  if (manager.queryRunner) pending.get(manager.queryRunner)?.push(event);
}

/**
 * Runs a write transaction's work (on `runner`) with a fresh list of events; the list is what
 * it recorded. SQLite's driver hands every caller the same runner, so the list is closed after.
 */
export async function collectContentEvents<T>(runner: QueryRunner, work: () => Promise<T>): Promise<{ events: ContentEvent[]; value: T }> {
  const events: ContentEvent[] = [];
  pending.set(runner, events);
  try {
    return { events, value: await work() };
  } finally {
    pending.delete(runner);
  }
}
