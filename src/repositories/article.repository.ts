import type { EntityManager } from "typeorm";
import { lockRows, reserveIds, sameInstantSql, timestampParam } from "../db/dialect";
import { Article, type StoredArticleStatus } from "../entities/article.entity";
import { conflict } from "../errors";
import { articleChangeKeys, recordContentEvent, type ArticleChange, type ArticleMembership, type ContentEventType } from "../events/content-events";
import { bulkInsert } from "./bulk";
import { withUniqueSlug } from "./slug.repository";
import { tagIdsOf } from "./tag.repository";

/**
 * Article rows, written the same way by the article service, the page importer and the
 * synthetic generator: every write of an existing article holds it first (lockArticle), moves
 * updatedAt strictly forward and only lands on the version it was based on (a conditional
 * UPDATE), and slugs are chosen under the unique index (withUniqueSlug).
 */
export interface ArticleColumns {
  slug: string;
  title: string;
  lead: string;
  body: string;
  featuredImageUrl: string | null;
  featuredImageCaption: string | null;
  status: StoredArticleStatus;
  publishedAt: Date | null;
  timeZone: string;
  authorId: number;
  wordCount: number;
}

/**
 * Holds the article until the transaction ends (a row lock on PostgreSQL; SQLite's write
 * transaction already holds the only writer). Take it before reading what a write depends on.
 */
export async function lockArticle(manager: EntityManager, id: number): Promise<void> {
  await lockRows(manager, "articles", "id = :id", { id });
}

/** The same by slug; returns nothing, the caller then reads the row it now holds. */
export async function lockArticleBySlug(manager: EntityManager, slug: string): Promise<void> {
  await lockRows(manager, "articles", "slug = :slug", { slug });
}

export function loadArticle(manager: EntityManager, id: number): Promise<Article | null> {
  return manager.findOne(Article, { where: { id }, withDeleted: true });
}

/**
 * updatedAt is what optimistic concurrency compares, so every write must move it, even two
 * writes within one millisecond or a clock that a test has moved backwards.
 */
export function nextUpdatedAt(previous: Date | null, now: Date): Date {
  if (!previous || now.getTime() > previous.getTime()) return now;
  return new Date(previous.getTime() + 1);
}

/**
 * A new article. With `uniqueSlug`, `columns.slug` is a base that gets -2, -3, ... when taken;
 * without it (the importer, whose pages name their slug) a taken slug is a CONFLICT.
 */
export async function insertArticle(manager: EntityManager, columns: ArticleColumns, now: Date, options: { uniqueSlug: boolean }): Promise<Article> {
  const write = async (slug: string, m: EntityManager) => {
    const inserted = await m.insert(Article, { ...columns, slug, createdAt: now, updatedAt: now, deletedAt: null });
    return Number(inserted.identifiers[0].id);
  };
  const id = options.uniqueSlug ? await withUniqueSlug(manager, "articles", columns.slug, write) : await write(columns.slug, manager);
  return (await loadArticle(manager, id))!;
}

/**
 * Applies `changes` to an article the caller holds, as a conditional UPDATE: it lands only if
 * the row still carries the updatedAt the write is based on (`expectedUpdatedAt` when the
 * client sent one, else the version the caller read), and refuses with CONFLICT otherwise.
 * A new slug in `slugBase` is made unique like a new article's. Returns the article as saved.
 */
export async function updateArticleRow(
  manager: EntityManager,
  article: Article,
  changes: Partial<ArticleColumns> & { deletedAt?: Date | null },
  now: Date,
  options: { expectedUpdatedAt?: Date | null; slugBase?: string | null } = {},
): Promise<Article> {
  const updatedAt = nextUpdatedAt(article.updatedAt, now);
  const expected = options.expectedUpdatedAt ?? article.updatedAt;
  const write = async (slug: string | undefined, m: EntityManager) => {
    const result = await m
      .createQueryBuilder()
      .update(Article)
      .set({ ...changes, ...(slug === undefined ? {} : { slug }), updatedAt })
      .where("id = :articleId", { articleId: article.id })
      .andWhere(sameInstantSql(m, "updated_at", "expectedUpdatedAt"), { expectedUpdatedAt: timestampParam(m.connection, expected) })
      .execute();
    if (result.affected !== 1) {
      throw conflict(`article ${article.id} was changed by someone else after the version this edit is based on (${expected.toISOString()}); reload and apply the edit again`);
    }
  };
  const { slugBase } = options;
  if (slugBase != null && slugBase !== article.slug) await withUniqueSlug(manager, "articles", slugBase, write, article.id);
  else await write(undefined, manager);
  return (await loadArticle(manager, article.id))!;
}

/** Where an article stands for list membership, for content events. */
export async function membershipOf(manager: EntityManager, article: Article): Promise<ArticleMembership> {
  return {
    id: article.id,
    slug: article.slug,
    authorId: article.authorId,
    tagIds: await tagIdsOf(manager, article.id),
    status: article.status,
    publishedAt: article.publishedAt,
    deletedAt: article.deletedAt,
  };
}

/**
 * What a write changed of the article's text and of its card beyond membership: slug, date,
 * author, tags and status are membership, which articleChangeKeys compares itself and which
 * always names the card.
 */
export function articleChangeOf(before: Article, after: Article): ArticleChange {
  return {
    text: before.title !== after.title || before.lead !== after.lead || before.body !== after.body,
    card:
      before.title !== after.title ||
      before.featuredImageUrl !== after.featuredImageUrl ||
      before.featuredImageCaption !== after.featuredImageCaption ||
      before.timeZone !== after.timeZone,
  };
}

/** Says what an article write changed, for caches, other instances and webhooks. */
export async function recordArticleChange(
  manager: EntityManager,
  type: ContentEventType,
  before: ArticleMembership | null,
  saved: Article,
  changed: ArticleChange,
  now: Date,
): Promise<void> {
  const after = await membershipOf(manager, saved);
  recordContentEvent(manager, {
    type,
    entity: "article",
    id: saved.id,
    slug: saved.slug,
    keys: articleChangeKeys(before, after, changed, now),
    occurredAt: now,
    article: { status: after.status, publishedAt: after.publishedAt, deletedAt: after.deletedAt, authorId: after.authorId, tagIds: after.tagIds },
  });
}

/** Column order of bulk article rows (insertArticleRows). */
export const ARTICLE_ROW_COLUMNS = [
  "id", "slug", "title", "lead", "body", "featured_image_url", "featured_image_caption",
  "status", "published_at", "time_zone", "author_id", "word_count", "created_at", "updated_at",
] as const;

/** New article ids for a bulk load, reserved inside its transaction (see reserveIds). */
export function reserveArticleIds(manager: EntityManager, n: number): Promise<number[]> {
  return reserveIds(manager, "articles", n);
}

/** Many new articles in few statements, with ids from reserveArticleIds (bulk loads). */
export function insertArticleRows(manager: EntityManager, rows: unknown[][]): Promise<void> {
  return bulkInsert(manager, "articles", [...ARTICLE_ROW_COLUMNS], rows, { rowsPerStatement: 1_000 });
}
