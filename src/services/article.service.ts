import type { EntityManager } from "typeorm";
import { Article } from "../entities/article.entity";
import { Author } from "../entities/author.entity";
import { writeTransaction } from "../db/write-lock";
import { badInput, conflict, notFound } from "../errors";
import { countWords } from "../lib/text";
import { articleVisibility } from "../loaders/visibility";
import { reindexArticles } from "../search/search-index";
import { personOrTagKeys, recordContentEvent, type ArticleMembership, type ContentEventType } from "../events/content-events";
import { articleChangeOf, insertArticle, lockArticle, membershipOf, recordArticleChange, updateArticleRow, type ArticleColumns } from "../repositories/article.repository";
import { resolvePendingLinksTo, setPendingLinks } from "../repositories/pending-link.repository";
import { setPicks } from "../repositories/related.repository";
import { keepBaseline, recordRevision, type Editor, type RevisionAction } from "../repositories/revision.repository";
import { ensureTags, setArticleTags } from "../repositories/tag.repository";
import { Tag } from "../entities/tag.entity";
import { Role } from "../viewer";
import {
  isEditor,
  requireDeleteArticle,
  requireEditArticle,
  requireOwnAuthor,
  requirePublishArticle,
  requireRole,
  type TokenViewer,
} from "./access";
import { slugFrom } from "./unique-slug";
import type { WriteContext } from "./write-context";

export interface FeaturedImageValues {
  url: string;
  caption?: string | null;
}

export interface CreateArticleValues {
  title: string;
  lead: string;
  body: string;
  authorSlug: string;
  tagSlugs: string[];
  slug?: string | null;
  featuredImage?: FeaturedImageValues | null;
  timeZone?: string | null;
}

export interface UpdateArticleValues {
  title?: string | null;
  lead?: string | null;
  body?: string | null;
  authorSlug?: string | null;
  tagSlugs?: string[] | null;
  slug?: string | null;
  featuredImage?: FeaturedImageValues | null;
  timeZone?: string | null;
  expectedUpdatedAt?: Date | null;
}

export const MAX_RELATED = 20;

/** Stored body form: LF line ends, no surrounding whitespace; paragraphs stay blank-line separated. */
export function normalizeBody(body: string): string {
  return body.replace(/\r\n?/g, "\n").trim();
}

const editorOf = (viewer: TokenViewer): Editor => ({ tokenId: viewer.tokenId, name: viewer.tokenName });

/**
 * The article as this viewer may see it, read inside the transaction through the same rule
 * as every read path: an article you may not see is NOT_FOUND, not FORBIDDEN, so writes do
 * not reveal that someone else's draft exists. The article is held first (lockArticle), so
 * what is read here stays true until the write commits.
 */
async function loadForWrite(manager: EntityManager, context: WriteContext, id: number): Promise<Article> {
  await lockArticle(manager, id);
  const visibility = articleVisibility(context.writer, context.viewer, context.now, "a", { includeDeleted: true });
  const article = await manager
    .getRepository(Article)
    .createQueryBuilder("a")
    .withDeleted()
    .where("a.id = :articleId", { articleId: id })
    .andWhere(visibility.sql, visibility.params)
    .getOne();
  if (!article) throw notFound(`article ${id}`);
  return article;
}

async function findAuthorForArticle(manager: EntityManager, viewer: TokenViewer, slug: string): Promise<Author> {
  const author = await manager.findOne(Author, { where: { slug } });
  if (!author) throw badInput(`no author with slug "${slug}"`, { authorSlug: "no such author" });
  requireOwnAuthor(viewer, author.id);
  return author;
}

function humanName(slug: string): string {
  return slug
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

/**
 * Tag ids by slug in the given order. Editors manage tags, so for them an unknown slug creates
 * the tag (named from its slug, renamable later); anyone else gets every unknown slug named
 * in one error and nothing is written.
 */
async function resolveTags(manager: EntityManager, viewer: TokenViewer, slugs: string[], now: Date): Promise<number[]> {
  const unique = [...new Set(slugs)];
  if (unique.length === 0) return [];
  const found = await manager.getRepository(Tag).createQueryBuilder("t").where("t.slug IN (:...slugs)", { slugs: unique }).getMany();
  const known = new Set(found.map((tag) => tag.slug));
  const missing = unique.filter((slug) => !known.has(slug));
  if (missing.length > 0 && !isEditor(viewer)) throw badInput(`unknown tags: ${missing.join(", ")}`, { tagSlugs: `unknown tags: ${missing.join(", ")}` });
  const { ids, created } = await ensureTags(manager, unique.map((slug) => ({ slug, name: humanName(slug) })), now);
  for (const tag of created) recordContentEvent(manager, { type: "tag.created", entity: "tag", id: tag.id, slug: tag.slug, keys: personOrTagKeys("tag", tag.id), occurredAt: now });
  return ids;
}

const EVENT_OF_ACTION: Record<RevisionAction, ContentEventType> = {
  create: "article.created",
  update: "article.updated",
  related: "article.updated",
  import: "article.updated",
  publish: "article.published",
  schedule: "article.scheduled",
  unpublish: "article.unpublished",
  delete: "article.deleted",
  restore: "article.restored",
};

/**
 * The shared tail of every article write: a conditional update that moves updatedAt, the
 * revision, the search index, the "Berita Lainnya" entries this article now answers, and the
 * content event, all in the caller's transaction.
 */
async function saveArticleChange(
  manager: EntityManager,
  context: WriteContext,
  viewer: TokenViewer,
  article: Article,
  before: ArticleMembership,
  changes: Partial<ArticleColumns> & { deletedAt?: Date | null },
  action: RevisionAction,
  options: { expectedUpdatedAt?: Date | null; slugBase?: string | null } = {},
): Promise<Article> {
  const { now } = context;
  await keepBaseline(manager, article);
  const saved = await updateArticleRow(manager, article, changes, now, options);
  await recordRevision(manager, saved, action, editorOf(viewer), saved.updatedAt);
  await reindexArticles(manager, [article.id]);
  await resolvePendingLinksTo(manager, saved, now, editorOf(viewer));
  await recordArticleChange(manager, EVENT_OF_ACTION[action], before, saved, articleChangeOf(article, saved), now);
  return saved;
}

export async function createArticle(context: WriteContext, input: CreateArticleValues): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  const { now } = context;
  return writeTransaction(context, async (manager) => {
    const author = await findAuthorForArticle(manager, viewer, input.authorSlug);
    const tagIds = await resolveTags(manager, viewer, input.tagSlugs, now);
    const body = normalizeBody(input.body);
    const article = await insertArticle(
      manager,
      {
        slug: input.slug ?? slugFrom(input.title, "artikel"),
        title: input.title.trim(),
        lead: input.lead.trim(),
        body,
        wordCount: countWords(body),
        featuredImageUrl: input.featuredImage?.url ?? null,
        featuredImageCaption: input.featuredImage?.caption ?? null,
        status: "draft",
        publishedAt: null,
        timeZone: input.timeZone ?? "Asia/Jakarta",
        authorId: author.id,
      },
      now,
      { uniqueSlug: true },
    );
    await setArticleTags(manager, article.id, tagIds);
    await recordRevision(manager, article, "create", editorOf(viewer), now);
    await reindexArticles(manager, [article.id]);
    await resolvePendingLinksTo(manager, article, now, editorOf(viewer));
    await recordArticleChange(manager, "article.created", null, article, { text: true, card: true }, now);
    return article;
  });
}

export async function updateArticle(context: WriteContext, id: number, input: UpdateArticleValues): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireEditArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted; restore it before editing`, { id: "article is deleted" });
    // Checked here for a clear message; the conditional update in saveArticleChange is what guarantees it.
    if (input.expectedUpdatedAt && input.expectedUpdatedAt.getTime() !== article.updatedAt.getTime()) {
      throw conflict(`article ${id} was changed at ${article.updatedAt.toISOString()}, after the version this edit is based on; reload and apply the edit again`);
    }
    const changes: Partial<ArticleColumns> = {};
    if (input.title != null) changes.title = input.title.trim();
    if (input.lead != null) changes.lead = input.lead.trim();
    if (input.body != null) {
      changes.body = normalizeBody(input.body);
      changes.wordCount = countWords(changes.body);
    }
    if (input.timeZone != null) changes.timeZone = input.timeZone;
    if (input.featuredImage === null) {
      changes.featuredImageUrl = null;
      changes.featuredImageCaption = null;
    } else if (input.featuredImage) {
      changes.featuredImageUrl = input.featuredImage.url;
      changes.featuredImageCaption = input.featuredImage.caption ?? null;
    }
    if (input.authorSlug != null) changes.authorId = (await findAuthorForArticle(manager, viewer, input.authorSlug)).id;
    if (input.tagSlugs != null) {
      // The baseline of an imported article is its state before this edit, tags included.
      await keepBaseline(manager, article);
      await setArticleTags(manager, article.id, await resolveTags(manager, viewer, input.tagSlugs, context.now));
    }
    return saveArticleChange(manager, context, viewer, article, before, changes, "update", { expectedUpdatedAt: input.expectedUpdatedAt, slugBase: input.slug });
  });
}

/** Without `at`: live now (an already live article keeps its date). With a future `at`: scheduled. */
export async function publishArticle(context: WriteContext, id: number, at?: Date | null): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.AUTHOR);
  const { now } = context;
  return writeTransaction(context, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requirePublishArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted; restore it before publishing`, { id: "article is deleted" });
    const alreadyLive = article.status === "published" && article.publishedAt !== null && article.publishedAt <= now;
    const publishedAt = at ?? (alreadyLive ? article.publishedAt! : now);
    const action = publishedAt > now ? "schedule" : "publish";
    return saveArticleChange(manager, context, viewer, article, before, { status: "published", publishedAt }, action);
  });
}

/** Back to draft; publishedAt is kept so a republish can keep the original date if asked to. */
export async function unpublishArticle(context: WriteContext, id: number): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.AUTHOR);
  return writeTransaction(context, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requirePublishArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted`, { id: "article is deleted" });
    return saveArticleChange(manager, context, viewer, article, before, { status: "draft" }, "unpublish");
  });
}

/** Soft: the row, its slug and its revisions stay, so restoreArticle brings it back whole. */
export async function deleteArticle(context: WriteContext, id: number): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireDeleteArticle(viewer, article);
    if (article.deletedAt) return article;
    return saveArticleChange(manager, context, viewer, article, before, { deletedAt: context.now }, "delete");
  });
}

export async function restoreArticle(context: WriteContext, id: number): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireDeleteArticle(viewer, article);
    if (!article.deletedAt) return article;
    return saveArticleChange(manager, context, viewer, article, before, { deletedAt: null }, "restore");
  });
}

/**
 * The editor's "Berita Lainnya" picks, replacing any earlier ones, in the given order. Entries
 * an imported page listed that are still waiting for their article are dropped too: the
 * editor's list is now the list.
 */
export async function setRelatedArticles(context: WriteContext, id: number, relatedIds: number[]): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireEditArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted`, { id: "article is deleted" });
    if (relatedIds.length > MAX_RELATED) throw badInput(`at most ${MAX_RELATED} related articles`, { relatedIds: `at most ${MAX_RELATED}` });
    if (new Set(relatedIds).size !== relatedIds.length) throw badInput("relatedIds lists an article twice", { relatedIds: "duplicate ids" });
    if (relatedIds.includes(id)) throw badInput("an article cannot be related to itself", { relatedIds: "contains the article itself" });
    if (relatedIds.length > 0) {
      const visibility = articleVisibility(context.writer, context.viewer, context.now, "a");
      const known = await manager
        .getRepository(Article)
        .createQueryBuilder("a")
        .select("a.id", "id")
        .where("a.id IN (:...relatedIds)", { relatedIds })
        .andWhere(visibility.sql, visibility.params)
        .getRawMany<{ id: number }>();
      const knownIds = new Set(known.map((row) => Number(row.id)));
      const unknown = relatedIds.filter((relatedId) => !knownIds.has(relatedId));
      if (unknown.length) throw badInput(`unknown articles: ${unknown.join(", ")}`, { relatedIds: `unknown articles: ${unknown.join(", ")}` });
    }
    await keepBaseline(manager, article);
    await setPicks(manager, id, relatedIds.map((relatedId, position) => ({ relatedId, position })));
    await setPendingLinks(manager, id, []);
    return saveArticleChange(manager, context, viewer, article, before, {}, "related");
  });
}
