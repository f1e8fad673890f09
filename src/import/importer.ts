import fs from "node:fs";
import path from "node:path";
import { In, type DataSource, type EntityManager } from "typeorm";
import { queryNamed, timestampParam, toDate } from "../db/dialect";
import { writeTransaction } from "../db/write-lock";
import { articleChangeKeys, entityKey, personOrTagKeys, recordContentEvent, type ArticleMembership } from "../events/content-events";
import { Article, type StoredArticleStatus } from "../entities/article.entity";
import { ArticleRelated } from "../entities/article-related.entity";
import { ArticleTag } from "../entities/article-tag.entity";
import { Author } from "../entities/author.entity";
import { Tag } from "../entities/tag.entity";
import { formatIndonesianDate } from "../lib/indonesian-date";
import { slugify } from "../lib/slug";
import { countWords } from "../lib/text";
import { reindexArticles } from "../search/search-index";
import { PageParseError, parsePage, type ParsedPage } from "./page-parser";
import { SidecarError, SidecarReader } from "./sidecar";

export interface ImportIssue {
  path: string;
  /** 1-based; 0 when the problem is not on a line (missing file, database error). */
  line: number;
  message: string;
}

export interface UnresolvedRelated {
  path: string;
  line: number;
  title: string;
  /** As the page printed it, e.g. "Senin, 02 Okt 2023 15:28 WIB". */
  date: string;
}

export interface ImportReport {
  dryRun: boolean;
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: ImportIssue[];
  unresolvedRelated: UnresolvedRelated[];
  warnings: ImportIssue[];
}

export interface ImportOptions {
  /** Parse and compare with the database, report what would happen, write nothing. */
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** A real page is a few tens of kilobytes; anything far larger is not one. */
const MAX_PAGE_BYTES = 5_000_000;
/** Below SQLite's 999-parameter floor of old builds and PostgreSQL's limits. */
const IN_LIST_CHUNK = 500;

class ImportFailure extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Page files named on the command line, folders walked recursively, each folder's pages in name order. */
export function collectPageFiles(paths: string[]): { files: string[]; missing: ImportIssue[] } {
  const files: string[] = [];
  const missing: ImportIssue[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  const walk = (dir: string): string[] => {
    const found: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      // Hidden entries are editor backups and VCS metadata, never pages.
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) found.push(...walk(full));
      else if (entry.isFile() && /\.txt$/i.test(entry.name)) found.push(full);
    }
    return found;
  };
  for (const given of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch {
      missing.push({ path: given, line: 0, message: "no such file or folder" });
      continue;
    }
    if (stat.isDirectory()) walk(given).sort(byCodePoint).forEach(add);
    else add(given);
  }
  return { files, missing };
}

/** Related titles are typed by hand; quotes, dashes, spacing and case must not break a match. */
function titleKey(title: string): string {
  return title
    .normalize("NFC")
    .replace(/[\u2018\u2019\u201A\u201B\u2032`]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/** Line on which `text` first appears as a whole line; used to point at a field the parser returned. */
function lineOf(page: string, text: string): number {
  const index = page.split(/\r\n|\r|\n/).findIndex((l) => l.trim() === text);
  return index < 0 ? 1 : index + 1;
}

interface PageFields {
  slug: string;
  title: string;
  lead: string;
  body: string;
  featuredImageUrl: string | null;
  featuredImageCaption: string | null;
  status: StoredArticleStatus;
  publishedAt: Date;
  timeZone: string;
  wordCount: number;
  authorName: string;
  authorSlug: string;
  tags: { slug: string; name: string }[];
}

interface ImportedPage {
  path: string;
  page: ParsedPage;
  fields: PageFields;
  /** Undefined only in a dry run for an article that does not exist yet. */
  articleId?: number;
  outcome: "created" | "updated" | "unchanged";
}

function pageFields(file: string, text: string, page: ParsedPage, sidecar: ReturnType<SidecarReader["read"]>["sidecar"]): PageFields {
  const slug = sidecar.slug ?? slugify(page.title);
  const titleLine = () => lineOf(text, page.title);
  if (!slug) throw new ImportFailure(file, titleLine(), 'the title gives an empty slug; set "slug" in the sidecar');
  if (page.title.length > 300) throw new ImportFailure(file, titleLine(), "title is longer than 300 characters");
  const authorSlug = slugify(page.authorName);
  if (!authorSlug) throw new ImportFailure(file, page.bylineLine, `author name "${page.authorName}" gives an empty slug`);
  if (page.authorName.length > 200) throw new ImportFailure(file, page.bylineLine, "author name is longer than 200 characters");
  const caption = sidecar.featuredImageCaption ?? page.featuredImageCaption;
  if (caption && caption.length > 500) throw new ImportFailure(file, lineOf(text, caption), "featured image caption is longer than 500 characters");

  const tags: PageFields["tags"] = [];
  for (const name of sidecar.tags) {
    const tagSlug = slugify(name);
    if (!tagSlug) throw new ImportFailure(file, 0, `tag "${name}" gives an empty slug`);
    if (!tags.some((t) => t.slug === tagSlug)) tags.push({ slug: tagSlug, name });
  }
  return {
    slug,
    title: page.title,
    lead: page.lead,
    body: page.body,
    featuredImageUrl: sidecar.featuredImageUrl ?? null,
    featuredImageCaption: caption ?? null,
    status: sidecar.status ?? "published",
    publishedAt: page.publishedAt,
    timeZone: page.timeZone,
    wordCount: countWords(page.body),
    authorName: page.authorName,
    authorSlug,
    tags,
  };
}

const sameList = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Brings one article in line with its page. Compares first and writes only what differs, so a
 * re-run leaves rows (and updated_at) untouched. In a dry run nothing is written and missing
 * authors or tags simply count as differences.
 */
async function upsertArticle(
  manager: EntityManager,
  fields: PageFields,
  dryRun: boolean,
): Promise<{ articleId?: number; outcome: ImportedPage["outcome"]; deleted: boolean }> {
  let author = await manager.findOne(Author, { where: { slug: fields.authorSlug } });
  if (!author && !dryRun) {
    author = await manager.save(manager.create(Author, { slug: fields.authorSlug, name: fields.authorName, bio: null, avatarUrl: null }));
    // A new author enters the author listing and answers a lookup by slug that found nothing.
    recordContentEvent({ type: "author.created", entity: "author", id: author.id, slug: author.slug, keys: personOrTagKeys("author", author.id), occurredAt: new Date() });
  }

  const tagSlugs = fields.tags.map((t) => t.slug);
  const existingTags = tagSlugs.length ? await manager.find(Tag, { where: { slug: In(tagSlugs) } }) : [];
  const tagIdBySlug = new Map(existingTags.map((t) => [t.slug, t.id]));
  if (!dryRun) {
    for (const tag of fields.tags) {
      if (tagIdBySlug.has(tag.slug)) continue;
      const created = await manager.save(manager.create(Tag, { slug: tag.slug, name: tag.name, description: null }));
      tagIdBySlug.set(tag.slug, created.id);
      recordContentEvent({ type: "tag.created", entity: "tag", id: created.id, slug: created.slug, keys: personOrTagKeys("tag", created.id), occurredAt: new Date() });
    }
  }
  const wantedTagIds = tagSlugs.map((s) => tagIdBySlug.get(s) ?? -1);

  const columns = {
    slug: fields.slug,
    title: fields.title,
    lead: fields.lead,
    body: fields.body,
    featuredImageUrl: fields.featuredImageUrl,
    featuredImageCaption: fields.featuredImageCaption,
    status: fields.status,
    publishedAt: fields.publishedAt,
    timeZone: fields.timeZone,
    wordCount: fields.wordCount,
  };

  const existing = await manager.findOne(Article, { where: { slug: fields.slug }, withDeleted: true });
  if (!existing) {
    if (dryRun) return { outcome: "created", deleted: false };
    const inserted = await manager.insert(Article, { ...columns, authorId: author!.id });
    const articleId = Number(inserted.identifiers[0].id);
    await writeTags(manager, articleId, wantedTagIds);
    await reindexArticles(manager, [articleId]);
    recordImportEvent(null, { id: articleId, authorId: author!.id, tagIds: wantedTagIds, status: columns.status, publishedAt: columns.publishedAt, deletedAt: null }, fields.slug, true);
    return { articleId, outcome: "created", deleted: false };
  }

  const currentTagIds = (await manager.find(ArticleTag, { where: { articleId: existing.id }, order: { position: "ASC" } })).map((t) => t.tagId);
  const columnsEqual =
    existing.title === columns.title &&
    existing.lead === columns.lead &&
    existing.body === columns.body &&
    existing.featuredImageUrl === columns.featuredImageUrl &&
    existing.featuredImageCaption === columns.featuredImageCaption &&
    existing.status === columns.status &&
    existing.publishedAt?.getTime() === columns.publishedAt.getTime() &&
    existing.timeZone === columns.timeZone &&
    existing.wordCount === columns.wordCount &&
    existing.authorId === author?.id;
  const tagsEqual = sameList(currentTagIds, wantedTagIds);
  const deleted = existing.deletedAt !== null;
  if (columnsEqual && tagsEqual) return { articleId: existing.id, outcome: "unchanged", deleted };
  if (dryRun) return { articleId: existing.id, outcome: "updated", deleted };

  await manager.update(Article, { id: existing.id }, { ...columns, authorId: author!.id, updatedAt: new Date() });
  if (!tagsEqual) await writeTags(manager, existing.id, wantedTagIds);
  await reindexArticles(manager, [existing.id]);
  const textChanged = existing.title !== columns.title || existing.lead !== columns.lead || existing.body !== columns.body;
  recordImportEvent(
    { id: existing.id, authorId: existing.authorId, tagIds: currentTagIds, status: existing.status, publishedAt: existing.publishedAt, deletedAt: existing.deletedAt },
    { id: existing.id, authorId: author!.id, tagIds: wantedTagIds, status: columns.status, publishedAt: columns.publishedAt, deletedAt: existing.deletedAt },
    fields.slug,
    textChanged,
  );
  return { articleId: existing.id, outcome: "updated", deleted };
}

/** An imported page counts as an edit: published when it arrives live, updated otherwise. */
function recordImportEvent(before: ArticleMembership | null, after: ArticleMembership, slug: string, textChanged: boolean): void {
  const wasLive = before !== null && before.status === "published" && before.deletedAt === null;
  const isLive = after.status === "published" && after.deletedAt === null;
  recordContentEvent({
    type: before === null ? (isLive ? "article.published" : "article.created") : isLive && !wasLive ? "article.published" : !isLive && wasLive ? "article.unpublished" : "article.updated",
    entity: "article",
    id: after.id,
    slug,
    keys: articleChangeKeys(before, after, textChanged, new Date()),
    occurredAt: new Date(),
    article: { status: after.status, publishedAt: after.publishedAt, deletedAt: after.deletedAt, authorId: after.authorId, tagIds: after.tagIds },
  });
}

async function writeTags(manager: EntityManager, articleId: number, tagIds: number[]): Promise<void> {
  await manager.delete(ArticleTag, { articleId });
  if (tagIds.length) await manager.insert(ArticleTag, tagIds.map((tagId, position) => ({ articleId, tagId, position })));
}

interface Candidate {
  slug: string;
  id?: number;
  title: string;
  instantMs: number;
}

/** Every article that a "Berita Lainnya" entry of this run could name, found by the entries' instants. */
async function relatedCandidates(dataSource: DataSource, imported: ImportedPage[]): Promise<Map<string, Candidate[]>> {
  const instants = [...new Set(imported.flatMap((p) => p.page.related.map((r) => r.publishedAt.getTime())))];
  const bySlug = new Map<string, Candidate>();
  for (let i = 0; i < instants.length; i += IN_LIST_CHUNK) {
    const chunk = instants.slice(i, i + IN_LIST_CHUNK).map((ms) => timestampParam(dataSource, new Date(ms)));
    const rows = await queryNamed<{ id: number; slug: string; title: string; published_at: unknown }>(
      dataSource,
      `SELECT id, slug, title, published_at FROM articles WHERE deleted_at IS NULL AND published_at IN (:...instants) ORDER BY id`,
      { instants: chunk },
    );
    for (const row of rows) {
      bySlug.set(row.slug, { slug: row.slug, id: Number(row.id), title: row.title, instantMs: toDate(row.published_at)!.getTime() });
    }
  }
  // A dry run has written nothing, so this run's pages stand in for the rows they would become.
  for (const p of imported) {
    const known = bySlug.get(p.fields.slug);
    bySlug.set(p.fields.slug, { slug: p.fields.slug, id: p.articleId ?? known?.id, title: p.fields.title, instantMs: p.fields.publishedAt.getTime() });
  }
  const byKey = new Map<string, Candidate[]>();
  for (const candidate of bySlug.values()) {
    const key = `${titleKey(candidate.title)}\u0000${candidate.instantMs}`;
    byKey.set(key, [...(byKey.get(key) ?? []), candidate]);
  }
  return byKey;
}

async function currentPicks(dataSource: DataSource, articleIds: number[]): Promise<Map<number, string[]>> {
  const picks = new Map<number, string[]>();
  for (let i = 0; i < articleIds.length; i += IN_LIST_CHUNK) {
    const rows = await queryNamed<{ article_id: number; slug: string }>(
      dataSource,
      `SELECT r.article_id, a.slug FROM article_related r JOIN articles a ON a.id = r.related_id
        WHERE r.article_id IN (:...ids) ORDER BY r.article_id, r.position, r.related_id`,
      { ids: articleIds.slice(i, i + IN_LIST_CHUNK) },
    );
    for (const row of rows) {
      const id = Number(row.article_id);
      picks.set(id, [...(picks.get(id) ?? []), row.slug]);
    }
  }
  return picks;
}

/**
 * Runs once every page of the run is in, so a page may name one imported before or after it.
 * Each article's editor picks become exactly its resolved list, in page order.
 */
async function resolveRelated(dataSource: DataSource, imported: ImportedPage[], report: ImportReport): Promise<void> {
  const candidates = await relatedCandidates(dataSource, imported);
  const existingIds = imported.flatMap((p) => (p.articleId === undefined ? [] : [p.articleId]));
  const picksNow = await currentPicks(dataSource, existingIds);

  for (const p of imported) {
    const resolved: Candidate[] = [];
    for (const entry of p.page.related) {
      const matches = candidates.get(`${titleKey(entry.title)}\u0000${entry.publishedAt.getTime()}`) ?? [];
      const date = formatIndonesianDate(entry.publishedAt, entry.timeZone);
      if (matches.length === 0) {
        report.unresolvedRelated.push({ path: p.path, line: entry.line, title: entry.title, date });
        continue;
      }
      if (matches.length > 1) {
        report.warnings.push({
          path: p.path,
          line: entry.line,
          message: `related "${entry.title}" (${date}) matches ${matches.length} articles (${matches.map((m) => m.slug).join(", ")}); linked to ${matches[0].slug}`,
        });
      }
      const target = matches[0];
      if (target.slug === p.fields.slug) {
        report.warnings.push({ path: p.path, line: entry.line, message: `related "${entry.title}" is the article itself; skipped` });
      } else if (!resolved.some((r) => r.slug === target.slug)) {
        resolved.push(target);
      }
    }

    const wanted = resolved.map((r) => r.slug);
    const current = p.articleId === undefined ? [] : (picksNow.get(p.articleId) ?? []);
    if (sameList(current, wanted)) continue;
    if (p.outcome === "unchanged") {
      p.outcome = "updated";
      report.unchanged -= 1;
      report.updated += 1;
    }
    if (report.dryRun) continue;
    const articleId = p.articleId!;
    await writeTransaction(dataSource, async (manager) => {
      await manager.delete(ArticleRelated, { articleId });
      if (resolved.length) {
        await manager.insert(ArticleRelated, resolved.map((r, position) => ({ articleId, relatedId: r.id!, position })));
      }
      // Clients that sync by updatedAt must see that the related list moved.
      if (p.outcome === "updated") await manager.update(Article, { id: articleId }, { updatedAt: new Date() });
      recordContentEvent({ type: "article.updated", entity: "article", id: articleId, slug: p.fields.slug, keys: [entityKey("article", articleId)], occurredAt: new Date() });
    });
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Imports news pages (see page-parser.ts) and their sidecars. Each page is one transaction: a page
 * that fails leaves nothing behind and the others still load. "Berita Lainnya" lists are
 * resolved against the database after all pages are in.
 */
export async function importPages(dataSource: DataSource, paths: string[], options: ImportOptions = {}): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false;
  const { files, missing } = collectPageFiles(paths);
  const report: ImportReport = {
    dryRun,
    files: files.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: [...missing],
    unresolvedRelated: [],
    warnings: [],
  };
  const sidecars = new SidecarReader();
  const imported: ImportedPage[] = [];
  const slugOwners = new Map<string, string>();

  for (const [index, file] of files.entries()) {
    try {
      const stat = fs.statSync(file);
      if (stat.size > MAX_PAGE_BYTES) throw new ImportFailure(file, 1, `file is larger than ${MAX_PAGE_BYTES} bytes; not a news page`);
      const bytes = fs.readFileSync(file);
      let page: ParsedPage;
      try {
        page = parsePage(bytes);
      } catch (error) {
        if (!(error instanceof PageParseError)) throw error;
        const detail = error.message.replace(/^line \d+: /, "");
        throw new ImportFailure(file, error.line, `${detail} (expected ${error.expected})`);
      }
      const text = bytes.toString("utf8");
      let sidecarResult;
      try {
        sidecarResult = sidecars.read(file);
      } catch (error) {
        if (error instanceof SidecarError) throw new ImportFailure(error.path, error.line, error.message);
        throw error;
      }
      const fields = pageFields(file, text, page, sidecarResult.sidecar);
      const owner = slugOwners.get(fields.slug);
      if (owner) {
        throw new ImportFailure(file, lineOf(text, page.title), `slug "${fields.slug}" is already taken by ${owner} in this run; set "slug" in a sidecar`);
      }

      const result = dryRun
        ? await upsertArticle(dataSource.manager, fields, true)
        : await writeTransaction(dataSource, (manager) => upsertArticle(manager, fields, false));
      slugOwners.set(fields.slug, file);
      report[result.outcome] += 1;
      report.warnings.push(...sidecarResult.warnings, ...page.warnings.map((w) => ({ path: file, ...w })));
      if (result.deleted) {
        report.warnings.push({ path: file, line: 0, message: `article "${fields.slug}" is deleted; it is kept in step with the page but stays deleted` });
      }
      imported.push({ path: file, page, fields, articleId: result.articleId, outcome: result.outcome });
    } catch (error) {
      if (error instanceof ImportFailure) report.failed.push({ path: error.path, line: error.line, message: error.message });
      else report.failed.push({ path: file, line: 0, message: `could not be imported: ${describeError(error)}` });
    }
    options.onProgress?.(index + 1, files.length);
  }

  await resolveRelated(dataSource, imported, report);
  return report;
}
