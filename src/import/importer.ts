import fs from "node:fs";
import path from "node:path";
import type { DataSource, EntityManager } from "typeorm";
import { systemClock, type Clock } from "../clock";
import { timestampParam, toDate } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import { writeTransaction } from "../db/write-lock";
import { personOrTagKeys, recordContentEvent, type ContentEventType } from "../events/content-events";
import { Article } from "../entities/article.entity";
import { formatIndonesianDate } from "../lib/indonesian-date";
import { slugify } from "../lib/slug";
import { countWords } from "../lib/text";
import {
  articleChangeOf,
  insertArticle,
  lockArticleBySlug,
  membershipOf,
  recordArticleChange,
  updateArticleRow,
  type ArticleColumns,
} from "../repositories/article.repository";
import { ensureAuthors } from "../repositories/author.repository";
import {
  findPendingLinksTo,
  pendingLinksOf,
  resolvePendingLinksTo,
  setPendingLinks,
  titleKey,
  type PendingLink,
  type ResolvedLink,
} from "../repositories/pending-link.repository";
import { pickSlugsOf, setPicks } from "../repositories/related.repository";
import { hasRevisions, IMPORTER, recordRevision } from "../repositories/revision.repository";
import { ensureTags, setArticleTags, tagIdsOf } from "../repositories/tag.repository";
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

/** A "Berita Lainnya" entry left open by an earlier run (or written before its article) that this run linked. */
export interface ResolvedEarlier {
  /** The page whose import brought the named article. */
  path: string;
  /** Slug of the article whose list named it. */
  source: string;
  title: string;
  date: string;
}

export interface ImportReport {
  dryRun: boolean;
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: ImportIssue[];
  /** Entries of this run's pages naming no article yet; they are kept and link up when the article arrives. */
  unresolvedRelated: UnresolvedRelated[];
  /** Entries kept from earlier runs that this run's articles answered. */
  resolvedEarlier: ResolvedEarlier[];
  /** Pages imported with neither a sidecar nor a manifest entry: no tags, no image. */
  withoutSidecar: string[];
  warnings: ImportIssue[];
}

export interface ImportOptions {
  /** Parse and compare with the database, report what would happen, write nothing. */
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** The instant written as updatedAt and in content events; the system clock by default. */
  clock?: Clock;
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

/** Line on which `text` first appears as a whole line; used to point at a field the parser returned. */
function lineOf(page: string, text: string): number {
  const index = page.split(/\r\n|\r|\n/).findIndex((l) => l.trim() === text);
  return index < 0 ? 1 : index + 1;
}

/** An article's columns as a page gives them: its author and tags by name, not yet by id, and always a date. */
interface PageFields extends Omit<ArticleColumns, "authorId" | "publishedAt"> {
  publishedAt: Date;
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

interface UpsertResult {
  articleId?: number;
  outcome: ImportedPage["outcome"];
  deleted: boolean;
  /** Entries of other pages this article answered (would answer, in a dry run). */
  resolved: { source: string; title: string; publishedAt: Date; timeZone: string }[];
}

/** An imported page counts as an edit: published when it arrives live, updated otherwise. */
function importEventType(wasLive: boolean | null, isLive: boolean): ContentEventType {
  if (wasLive === null) return isLive ? "article.published" : "article.created";
  if (isLive && !wasLive) return "article.published";
  if (!isLive && wasLive) return "article.unpublished";
  return "article.updated";
}

const isLive = (a: { status: string; deletedAt: Date | null }) => a.status === "published" && a.deletedAt === null;

/**
 * Brings one article in line with its page, through the same repository functions as the API's
 * writes. Compares first and writes only what differs, so a re-run leaves rows (and updated_at)
 * untouched. In a dry run nothing is written and missing authors or tags simply count as
 * differences.
 */
async function upsertArticle(manager: EntityManager, fields: PageFields, dryRun: boolean, now: Date): Promise<UpsertResult> {
  let authorId: number | undefined;
  let wantedTagIds: number[];
  if (dryRun) {
    const [author] = await queryNamed<{ id: number }>(manager.connection, `SELECT id FROM authors WHERE slug = :slug`, { slug: fields.authorSlug });
    authorId = author ? Number(author.id) : undefined;
    const slugs = fields.tags.map((t) => t.slug);
    const known = slugs.length ? await queryNamed<{ id: number; slug: string }>(manager.connection, `SELECT id, slug FROM tags WHERE slug IN (:...slugs)`, { slugs }) : [];
    const idBySlug = new Map(known.map((t) => [t.slug, Number(t.id)]));
    wantedTagIds = slugs.map((slug) => idBySlug.get(slug) ?? -1);
  } else {
    const authors = await ensureAuthors(manager, [{ slug: fields.authorSlug, name: fields.authorName }], now);
    const tags = await ensureTags(manager, fields.tags, now);
    authorId = authors.ids[0];
    wantedTagIds = tags.ids;
    // New authors and tags enter their listings and answer lookups by slug that found nothing.
    for (const author of authors.created) recordContentEvent(manager, { type: "author.created", entity: "author", id: author.id, slug: author.slug, keys: personOrTagKeys("author", author.id), occurredAt: now });
    for (const tag of tags.created) recordContentEvent(manager, { type: "tag.created", entity: "tag", id: tag.id, slug: tag.slug, keys: personOrTagKeys("tag", tag.id), occurredAt: now });
  }

  const columns = {
    title: fields.title,
    lead: fields.lead,
    body: fields.body,
    featuredImageUrl: fields.featuredImageUrl,
    featuredImageCaption: fields.featuredImageCaption,
    status: fields.status,
    publishedAt: fields.publishedAt,
    timeZone: fields.timeZone,
    wordCount: fields.wordCount,
  } satisfies Partial<ArticleColumns>;
  const reported = (links: ResolvedLink[]) => links.map((l) => ({ source: l.sourceSlug, title: l.title, publishedAt: l.publishedAt, timeZone: l.timeZone }));
  // Entries of other pages this article answers: linked now, or in a dry run only looked up.
  const resolve = async (saved: Article) => reported(await resolvePendingLinksTo(manager, saved, now, IMPORTER));
  const preview = async (deleted: boolean) => (deleted ? [] : reported(await findPendingLinksTo(manager, { title: columns.title, publishedAt: columns.publishedAt })));

  if (!dryRun) await lockArticleBySlug(manager, fields.slug);
  const existing = await manager.findOne(Article, { where: { slug: fields.slug }, withDeleted: true });
  if (!existing) {
    if (dryRun) return { outcome: "created", deleted: false, resolved: await preview(false) };
    const created = await insertArticle(manager, { ...columns, slug: fields.slug, authorId: authorId! }, now, { uniqueSlug: false });
    await setArticleTags(manager, created.id, wantedTagIds);
    await reindexArticles(manager, [created.id]);
    const resolved = await resolve(created);
    await recordArticleChange(manager, importEventType(null, isLive(created)), null, created, { text: true, card: true }, now);
    return { articleId: created.id, outcome: "created", deleted: false, resolved };
  }

  const currentTagIds = await tagIdsOf(manager, existing.id);
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
    existing.authorId === authorId;
  const tagsEqual = sameList(currentTagIds, wantedTagIds);
  const deleted = existing.deletedAt !== null;
  if (columnsEqual && tagsEqual) return { articleId: existing.id, outcome: "unchanged", deleted, resolved: [] };
  if (dryRun) return { articleId: existing.id, outcome: "updated", deleted, resolved: await preview(deleted) };

  const before = await membershipOf(manager, existing);
  // An article edited through the API has a history; the page's version joins it.
  const tracked = await hasRevisions(manager, existing.id);
  if (!tagsEqual) await setArticleTags(manager, existing.id, wantedTagIds);
  const saved = await updateArticleRow(manager, existing, { ...columns, authorId: authorId! }, now);
  if (tracked) await recordRevision(manager, saved, "import", IMPORTER, saved.updatedAt);
  await reindexArticles(manager, [existing.id]);
  const resolved = await resolve(saved);
  await recordArticleChange(manager, importEventType(isLive(existing), isLive(saved)), before, saved, articleChangeOf(existing, saved), now);
  return { articleId: existing.id, outcome: "updated", deleted, resolved };
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

const samePending = (a: readonly PendingLink[], b: readonly PendingLink[]) =>
  a.length === b.length &&
  a.every((x, i) => x.position === b[i].position && x.title === b[i].title && x.publishedAt.getTime() === b[i].publishedAt.getTime() && x.timeZone === b[i].timeZone);

/**
 * Runs once every page of the run is in, so a page may name one imported before or after it.
 * Each article's editor picks become exactly its resolved list, each pick at its place in the
 * page's list; entries naming no article yet are kept (pending-link.repository.ts) and link up
 * when the article arrives, by a later run or through the API.
 */
async function resolveRelated(dataSource: DataSource, imported: ImportedPage[], report: ImportReport, clock: Clock): Promise<void> {
  const candidates = await relatedCandidates(dataSource, imported);
  const existingIds = imported.flatMap((p) => (p.articleId === undefined ? [] : [p.articleId]));
  const picksNow = await pickSlugsOf(dataSource.manager, existingIds);
  const pendingNow = await pendingLinksOf(dataSource.manager, existingIds);

  for (const p of imported) {
    const resolved: (Candidate & { position: number })[] = [];
    const pending: PendingLink[] = [];
    for (const [position, entry] of p.page.related.entries()) {
      const matches = candidates.get(`${titleKey(entry.title)}\u0000${entry.publishedAt.getTime()}`) ?? [];
      const date = formatIndonesianDate(entry.publishedAt, entry.timeZone);
      if (matches.length === 0) {
        report.unresolvedRelated.push({ path: p.path, line: entry.line, title: entry.title, date });
        pending.push({ position, title: entry.title, publishedAt: entry.publishedAt, timeZone: entry.timeZone });
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
        resolved.push({ ...target, position });
      }
    }

    const wanted = resolved.map((r) => r.slug);
    const current = p.articleId === undefined ? [] : (picksNow.get(p.articleId) ?? []);
    const picksChanged = !sameList(current, wanted);
    const pendingChanged = !samePending(p.articleId === undefined ? [] : (pendingNow.get(p.articleId) ?? []), pending);
    if (!picksChanged && !pendingChanged) continue;
    if (picksChanged && p.outcome === "unchanged") {
      p.outcome = "updated";
      report.unchanged -= 1;
      report.updated += 1;
    }
    if (report.dryRun) continue;
    const articleId = p.articleId!;
    await writeTransaction(dataSource, async (manager) => {
      await lockArticleBySlug(manager, p.fields.slug);
      // Waiting entries are bookkeeping no reader sees: they change nothing else.
      await setPendingLinks(manager, articleId, pending);
      if (!picksChanged) return;
      const article = await manager.findOne(Article, { where: { id: articleId }, withDeleted: true });
      if (!article) return;
      const before = await membershipOf(manager, article);
      const tracked = await hasRevisions(manager, articleId);
      await setPicks(manager, articleId, resolved.map((r) => ({ relatedId: r.id!, position: r.position })));
      // Clients that sync by updatedAt must see that the related list moved.
      const saved = await updateArticleRow(manager, article, {}, clock.now());
      if (tracked) await recordRevision(manager, saved, "related", IMPORTER, saved.updatedAt);
      await recordArticleChange(manager, "article.updated", before, saved, { text: false, card: false }, clock.now());
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
  const clock = options.clock ?? systemClock;
  const { files, missing } = collectPageFiles(paths);
  const report: ImportReport = {
    dryRun,
    files: files.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: [...missing],
    unresolvedRelated: [],
    resolvedEarlier: [],
    withoutSidecar: [],
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
        ? await upsertArticle(dataSource.manager, fields, true, clock.now())
        : await writeTransaction(dataSource, (manager) => upsertArticle(manager, fields, false, clock.now()));
      slugOwners.set(fields.slug, file);
      report[result.outcome] += 1;
      if (!sidecarResult.found) report.withoutSidecar.push(file);
      for (const r of result.resolved) {
        report.resolvedEarlier.push({ path: file, source: r.source, title: r.title, date: formatIndonesianDate(r.publishedAt, r.timeZone) });
      }
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

  await resolveRelated(dataSource, imported, report, clock);
  return report;
}
