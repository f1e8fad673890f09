import type { EntityManager } from "typeorm";
import { Article } from "../entities/article.entity";
import { ArticleRelated } from "../entities/article-related.entity";
import { ArticleRevision } from "../entities/article-revision.entity";
import { ArticleTag } from "../entities/article-tag.entity";
import { Author } from "../entities/author.entity";
import { Tag } from "../entities/tag.entity";
import { writeTransaction } from "../db/write-lock";
import { badInput, conflict, notFound } from "../errors";
import { countWords } from "../lib/text";
import { articleVisibility } from "../loaders/visibility";
import { reindexArticles } from "../search/search-index";
import { articleChangeKeys, personOrTagKeys, recordContentEvent, type ArticleMembership, type ContentEventType } from "../events/content-events";
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
import { slugFrom, uniqueSlug } from "./unique-slug";
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

type RevisionAction = "create" | "update" | "publish" | "schedule" | "unpublish" | "delete" | "restore" | "related" | "import";

/** Stored body form: LF line ends, no surrounding whitespace; paragraphs stay blank-line separated. */
export function normalizeBody(body: string): string {
  return body.replace(/\r\n?/g, "\n").trim();
}

/**
 * updatedAt is what optimistic concurrency compares, so every write must move it, even two
 * writes within one millisecond or a clock that a test has moved backwards.
 */
function nextUpdatedAt(previous: Date | null, now: Date): Date {
  if (!previous || now.getTime() > previous.getTime()) return now;
  return new Date(previous.getTime() + 1);
}

/**
 * The article as this viewer may see it, read inside the transaction through the same rule
 * as every read path: an article you may not see is NOT_FOUND, not FORBIDDEN, so writes do
 * not reveal that someone else's draft exists.
 */
async function loadForWrite(manager: EntityManager, context: WriteContext, id: number): Promise<Article> {
  const visibility = articleVisibility(context.dataSource, context.viewer, context.now, "a", { includeDeleted: true });
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
 * Tags by slug in the given order. Editors manage tags, so for them an unknown slug creates
 * the tag (named from its slug, renamable later); anyone else gets every unknown slug named
 * in one error and nothing is written.
 */
async function resolveTags(manager: EntityManager, viewer: TokenViewer, slugs: string[], now: Date): Promise<Tag[]> {
  const unique = [...new Set(slugs)];
  if (unique.length === 0) return [];
  const found = await manager.getRepository(Tag).createQueryBuilder("t").where("t.slug IN (:...slugs)", { slugs: unique }).getMany();
  const bySlug = new Map(found.map((tag) => [tag.slug, tag]));
  const missing = unique.filter((slug) => !bySlug.has(slug));
  if (missing.length > 0) {
    if (!isEditor(viewer)) throw badInput(`unknown tags: ${missing.join(", ")}`, { tagSlugs: `unknown tags: ${missing.join(", ")}` });
    for (const slug of missing) {
      const tag = manager.getRepository(Tag).create({ slug, name: humanName(slug), description: null, createdAt: now, updatedAt: now });
      const saved = await manager.getRepository(Tag).save(tag);
      bySlug.set(slug, saved);
      recordContentEvent({ type: "tag.created", entity: "tag", id: saved.id, slug, keys: personOrTagKeys("tag", saved.id), occurredAt: now });
    }
  }
  return unique.map((slug) => bySlug.get(slug)!);
}

async function replaceTags(manager: EntityManager, articleId: number, tags: Tag[]): Promise<void> {
  await manager.delete(ArticleTag, { articleId });
  if (tags.length) await manager.insert(ArticleTag, tags.map((tag, position) => ({ articleId, tagId: tag.id, position })));
}

async function idsOf(manager: EntityManager, table: "article_tags" | "article_related", column: "tag_id" | "related_id", articleId: number): Promise<number[]> {
  const [sql, params] = manager.connection.driver.escapeQueryWithParameters(
    `SELECT ${column} AS id FROM ${table} WHERE article_id = :articleId ORDER BY position, ${column}`,
    { articleId },
    {},
  );
  return (await manager.query(sql, params)).map((row: { id: number }) => Number(row.id));
}

/** Snapshots the article as it now stands, tags and picks included, as its next revision. */
async function recordRevision(manager: EntityManager, article: Article, action: RevisionAction, editor: { tokenId: number | null; name: string }, at: Date): Promise<void> {
  const [{ last }] = await manager.query(
    ...manager.connection.driver.escapeQueryWithParameters(`SELECT MAX(revision) AS last FROM article_revisions WHERE article_id = :articleId`, { articleId: article.id }, {}),
  );
  const repo = manager.getRepository(ArticleRevision);
  // updateEntity(false): nothing reads the row back, so TypeORM need not re-select its defaulted created_at.
  await repo.createQueryBuilder().insert().updateEntity(false).values(
    repo.create({
      articleId: article.id,
      revision: Number(last ?? 0) + 1,
      action,
      title: article.title,
      lead: article.lead,
      body: article.body,
      slug: article.slug,
      featuredImageUrl: article.featuredImageUrl,
      featuredImageCaption: article.featuredImageCaption,
      status: article.status,
      publishedAt: article.publishedAt,
      deletedAt: article.deletedAt,
      timeZone: article.timeZone,
      authorId: article.authorId,
      tagIdsJson: JSON.stringify(await idsOf(manager, "article_tags", "tag_id", article.id)),
      relatedIdsJson: JSON.stringify(await idsOf(manager, "article_related", "related_id", article.id)),
      editedByTokenId: editor.tokenId,
      editedBy: editor.name,
      createdAt: at,
    }),
  ).execute();
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

async function membershipOf(manager: EntityManager, article: Article): Promise<ArticleMembership> {
  return {
    id: article.id,
    authorId: article.authorId,
    tagIds: await idsOf(manager, "article_tags", "tag_id", article.id),
    status: article.status,
    publishedAt: article.publishedAt,
    deletedAt: article.deletedAt,
  };
}

/** Says what this write changed, for caches, other instances and webhooks. */
async function recordArticleEvent(manager: EntityManager, before: ArticleMembership | null, saved: Article, action: RevisionAction, textChanged: boolean, now: Date): Promise<void> {
  const after = await membershipOf(manager, saved);
  recordContentEvent({
    type: EVENT_OF_ACTION[action],
    entity: "article",
    id: saved.id,
    slug: saved.slug,
    keys: articleChangeKeys(before, after, textChanged),
    occurredAt: now,
    article: { status: after.status, publishedAt: after.publishedAt, deletedAt: after.deletedAt, authorId: after.authorId, tagIds: after.tagIds },
  });
}

/**
 * Articles written before revisions existed (imports, seeds) get their current state kept as
 * revision 1 before the first change, so that first edit does not lose the original.
 */
async function keepBaseline(manager: EntityManager, article: Article): Promise<void> {
  const count = await manager.count(ArticleRevision, { where: { articleId: article.id } });
  if (count === 0) await recordRevision(manager, article, "import", { tokenId: null, name: "import" }, article.updatedAt);
}

/**
 * The shared tail of every article write: apply the change, move updatedAt, record the
 * revision and keep the search index in step, all in the caller's transaction.
 */
async function saveArticleChange(
  manager: EntityManager,
  viewer: TokenViewer,
  article: Article,
  before: ArticleMembership,
  changes: Partial<Article>,
  action: RevisionAction,
  now: Date,
): Promise<Article> {
  await keepBaseline(manager, article);
  const updatedAt = nextUpdatedAt(article.updatedAt, now);
  await manager.update(Article, { id: article.id }, { ...changes, updatedAt });
  const saved = (await manager.findOne(Article, { where: { id: article.id }, withDeleted: true }))!;
  await recordRevision(manager, saved, action, { tokenId: viewer.tokenId, name: viewer.tokenName }, updatedAt);
  await reindexArticles(manager, [article.id]);
  const textChanged = saved.title !== article.title || saved.lead !== article.lead || saved.body !== article.body;
  await recordArticleEvent(manager, before, saved, action, textChanged, now);
  return saved;
}

export async function createArticle(context: WriteContext, input: CreateArticleValues): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  const { now } = context;
  return writeTransaction(context.dataSource, async (manager) => {
    const author = await findAuthorForArticle(manager, viewer, input.authorSlug);
    const tags = await resolveTags(manager, viewer, input.tagSlugs, now);
    const body = normalizeBody(input.body);
    const repo = manager.getRepository(Article);
    const article = await repo.save(
      repo.create({
        slug: await uniqueSlug(manager, "articles", input.slug ?? slugFrom(input.title, "artikel")),
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
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      }),
    );
    await replaceTags(manager, article.id, tags);
    const saved = (await manager.findOne(Article, { where: { id: article.id } }))!;
    await recordRevision(manager, saved, "create", { tokenId: viewer.tokenId, name: viewer.tokenName }, now);
    await reindexArticles(manager, [article.id]);
    await recordArticleEvent(manager, null, saved, "create", true, now);
    return saved;
  });
}

export async function updateArticle(context: WriteContext, id: number, input: UpdateArticleValues): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireEditArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted; restore it before editing`, { id: "article is deleted" });
    if (input.expectedUpdatedAt && input.expectedUpdatedAt.getTime() !== article.updatedAt.getTime()) {
      throw conflict(`article ${id} was changed at ${article.updatedAt.toISOString()}, after the version this edit is based on; reload and apply the edit again`);
    }
    const changes: Partial<Article> = {};
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
    if (input.slug != null && input.slug !== article.slug) changes.slug = await uniqueSlug(manager, "articles", input.slug, article.id);
    if (input.tagSlugs != null) await replaceTags(manager, article.id, await resolveTags(manager, viewer, input.tagSlugs, context.now));
    return saveArticleChange(manager, viewer, article, before, changes, "update", context.now);
  });
}

/** Without `at`: live now (an already live article keeps its date). With a future `at`: scheduled. */
export async function publishArticle(context: WriteContext, id: number, at?: Date | null): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.AUTHOR);
  const { now } = context;
  return writeTransaction(context.dataSource, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requirePublishArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted; restore it before publishing`, { id: "article is deleted" });
    const alreadyLive = article.status === "published" && article.publishedAt !== null && article.publishedAt <= now;
    const publishedAt = at ?? (alreadyLive ? article.publishedAt! : now);
    const action = publishedAt > now ? "schedule" : "publish";
    return saveArticleChange(manager, viewer, article, before, { status: "published", publishedAt }, action, now);
  });
}

/** Back to draft; publishedAt is kept so a republish can keep the original date if asked to. */
export async function unpublishArticle(context: WriteContext, id: number): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.AUTHOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requirePublishArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted`, { id: "article is deleted" });
    return saveArticleChange(manager, viewer, article, before, { status: "draft" }, "unpublish", context.now);
  });
}

/** Soft: the row, its slug and its revisions stay, so restoreArticle brings it back whole. */
export async function deleteArticle(context: WriteContext, id: number): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireDeleteArticle(viewer, article);
    if (article.deletedAt) return article;
    return saveArticleChange(manager, viewer, article, before, { deletedAt: context.now }, "delete", context.now);
  });
}

export async function restoreArticle(context: WriteContext, id: number): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireDeleteArticle(viewer, article);
    if (!article.deletedAt) return article;
    return saveArticleChange(manager, viewer, article, before, { deletedAt: null }, "restore", context.now);
  });
}

/** The editor's "Berita Lainnya" picks, replacing any earlier ones, in the given order. */
export async function setRelatedArticles(context: WriteContext, id: number, relatedIds: number[]): Promise<Article> {
  const viewer = requireRole(context.viewer, Role.CONTRIBUTOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const article = await loadForWrite(manager, context, id);
    const before = await membershipOf(manager, article);
    requireEditArticle(viewer, article);
    if (article.deletedAt) throw badInput(`article ${id} is deleted`, { id: "article is deleted" });
    if (relatedIds.length > MAX_RELATED) throw badInput(`at most ${MAX_RELATED} related articles`, { relatedIds: `at most ${MAX_RELATED}` });
    if (new Set(relatedIds).size !== relatedIds.length) throw badInput("relatedIds lists an article twice", { relatedIds: "duplicate ids" });
    if (relatedIds.includes(id)) throw badInput("an article cannot be related to itself", { relatedIds: "contains the article itself" });
    if (relatedIds.length > 0) {
      const visibility = articleVisibility(context.dataSource, context.viewer, context.now, "a");
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
    await manager.delete(ArticleRelated, { articleId: id });
    if (relatedIds.length) await manager.insert(ArticleRelated, relatedIds.map((relatedId, position) => ({ articleId: id, relatedId, position })));
    return saveArticleChange(manager, viewer, article, before, {}, "related", context.now);
  });
}
