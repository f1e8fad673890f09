import DataLoader from "dataloader";
import type { Article } from "../entities/article.entity";
import type { Author } from "../entities/author.entity";
import type { Tag } from "../entities/tag.entity";
import { articlesOfKey, cardKey, ENTITY_LISTS, entityKey, kindKey, KeyRecordingLoader, recordFound } from "../cache/cache-keys";
import { hasLateralJoin, limitSql, timestampParam } from "../db/dialect";
import { encodeCursor } from "../pagination/cursor";
import type { Page } from "../pagination/page";
import {
  articleCountQuery,
  articlePageQuery,
  type ArticleFilterValues,
  type ArticleListSpec,
  ArticleOrder,
  type ArticlePageQuery,
  type ArticleWindow,
} from "./article-query";
import { FULL_SELECTION } from "./article-selection";
import type { ReadContext } from "./read-context";
import { ARTICLE_FROM, articleColumns, articleFromRow, authorFromArticleRow, carriesChips, tagChipsFromRow, tagFromRow, withoutChips, type Row } from "./rows";
import { articleVisibility, liveTagCountSql } from "./visibility";

/**
 * Picks in their order, then the best shared-tag scores, newer first; the id settles ties.
 * `prefix` qualifies the columns (`c.`), or is empty for a compound statement's output columns.
 */
const RELATED_ORDER = (prefix: string) =>
  `${prefix}kind, ${prefix}pick_position, ${prefix}rank_score DESC, ${prefix}live_at DESC, ${prefix}dst_id DESC`;

/**
 * A shared tag weighs 1/(its live articles). Candidates are ranked by the sum in integer units of
 * 1/RELATED_WEIGHT_SCALE: integer sums are exact whatever order the engine adds in, so equal
 * scores tie (and fall to the newer article) alike on SQLite and PostgreSQL, where sums of
 * fractions differed in their last digits by the order of addition; and PostgreSQL sums
 * integers several times faster than numerics. The score shown is the sum of the fractions.
 */
const RELATED_WEIGHT_SCALE = 1_000_000_000;

/** How many of a shared tag's newest published articles compete for "related". */
const RELATED_POOL_PER_TAG = 200;

/**
 * Per shared tag, its newest live articles straight off the (tag_id, live_at) index: a LIMIT
 * per tag reads 200 index entries where a window over the tag would read all of them. SQLite
 * has no LATERAL, so it selects the rows by rowid from a correlated LIMIT, in a MATERIALIZED CTE
 * that keeps the planner from pushing the outer join into it, which turned it into a per-row
 * subquery. For one source each row carries its tag's weights, read from tag_weights (one row
 * per tag), so the pool is ranked without joining it to anything; PostgreSQL then streams it
 * into the ranking instead of storing it first (a fifth of the statement).
 */
function relatedPoolCte(lateral: boolean, single: boolean): string {
  const newest = (alias: string) =>
    `${alias}.tag_id = st.tag_id AND ${alias}.live_at <= :poolNow ORDER BY ${alias}.live_at DESC, ${alias}.article_id DESC LIMIT ${RELATED_POOL_PER_TAG}`;
  const [tags, carried] = single ? ["tag_weights st", "st.weight, st.share"] : ["(SELECT DISTINCT tag_id FROM src_tags) st", "st.tag_id"];
  if (lateral) {
    return `tag_pool AS ${single ? "" : "MATERIALIZED "}(SELECT ${carried}, y.article_id, y.live_at FROM ${tags}
      CROSS JOIN LATERAL (SELECT z.article_id, z.live_at FROM article_tags z WHERE ${newest("z")}) y)`;
  }
  return `tag_pool AS MATERIALIZED (SELECT ${carried}, y.article_id, y.live_at FROM ${tags} CROSS JOIN article_tags y
    WHERE y.rowid IN (SELECT z.rowid FROM article_tags z WHERE ${newest("z")}))`;
}

export enum RelatedReason {
  EDITOR_PICK = "EDITOR_PICK",
  SHARED_TAGS = "SHARED_TAGS",
}

export interface RelatedHit {
  article: Article;
  score: number;
  reason: RelatedReason;
}

export interface NestedListKey extends ArticleWindow {
  parentId: number;
  orderBy?: ArticleOrder | null;
}

/** The loaders an article row fills besides the article's own. */
export interface RowPrimedLoaders {
  authorById: DataLoader<number, Author | null>;
  tagsByArticle: DataLoader<number, Tag[]>;
  tagById: DataLoader<number, Tag | null>;
  tagBySlug: DataLoader<string, Tag | null>;
  authorBySlug: DataLoader<string, Author | null>;
}

/**
 * Rows carry their author's columns, and their tag chips when the page shows tags: turning
 * them into articles also fills the author and tag loaders.
 */
export function readArticles(rows: Row[], primed: RowPrimedLoaders): Article[] {
  return rows.map((row) => {
    const article = articleFromRow(row);
    primed.authorById.prime(article.authorId, authorFromArticleRow(row));
    const tags = tagChipsFromRow(row);
    if (tags) {
      primed.tagsByArticle.prime(article.id, tags);
      for (const tag of tags) primed.tagById.prime(tag.id, tag);
    }
    return article;
  });
}

function toPage(rows: Article[], window: ArticleWindow, sortKey: (a: Article) => [string | number | null, number], count: () => Promise<number>): Page<Article> {
  const items = rows.slice(0, window.first);
  return {
    items,
    cursorAt: (i) => encodeCursor(sortKey(items[i])),
    hasNextPage: rows.length > window.first,
    hasPreviousPage: Boolean(window.after),
    totalCount: count,
  };
}

/** A filter naming tags or an author by slug depends on which entity holds that slug. */
export function recordFilter(keys: Set<string>, filter: ArticleFilterValues | null | undefined): void {
  if (filter?.tagSlugs?.length) keys.add(ENTITY_LISTS.tag);
  if (filter?.authorSlug) keys.add(ENTITY_LISTS.author);
}

/** Keys of a list's own membership and order beyond its items: a list by updatedAt moves on any article edit. */
function recordListOrder(keys: Set<string>, orderBy: ArticleOrder | null | undefined): void {
  if (orderBy === ArticleOrder.UPDATED_AT_DESC) keys.add(kindKey("article"));
}

/** What an answer showing these articles depends on: each one's own key, or only its card's. */
function recordArticles(keys: Set<string>, articles: readonly Article[], cardOnly: boolean): void {
  for (const article of articles) keys.add(cardOnly ? cardKey(article.id) : entityKey("article", article.id));
}

export function createArticleLoaders(context: ReadContext, primed: RowPrimedLoaders) {
  const { tagsByArticle } = primed;
  const { db, viewer, now } = context;
  const keys = context.keys ?? null;
  // Set once the operation is resolved, after the loaders are made: read it when used.
  const selection = () => context.selection ?? FULL_SELECTION;
  const visible = (options?: { includeDeleted?: boolean }) => articleVisibility(db, viewer, now, "a", options);

  async function articlesWhere(column: "a.id" | "a.slug", keys: readonly (number | string)[]): Promise<Row[]> {
    // Editors may open a deleted article directly (to restore it); lists still hide them.
    const vis = visible({ includeDeleted: true });
    return db.query(`SELECT ${articleColumns(context.selection, "byKey", db.dialect)} FROM ${ARTICLE_FROM} WHERE ${column} IN (:...keys) AND ${vis.sql}`, { ...vis.params, keys }, { bounded: true });
  }

  // By id, the key is known before the read: a publish of a hidden article sends `article:<id>` too.
  const articleById = new KeyRecordingLoader<number, Article | null>(
    async (ids) => {
      const byId = new Map(readArticles(await articlesWhere("a.id", ids), primed).map((a) => [a.id, a]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { keys, onLoad: (id) => entityKey("article", id) },
  );

  const articleBySlug = new KeyRecordingLoader<string, Article | null>(
    async (slugs) => {
      const articles = readArticles(await articlesWhere("a.slug", slugs), primed);
      for (const article of articles) articleById.prime(article.id, article);
      const bySlug = new Map(articles.map((a) => [a.slug, a]));
      return slugs.map((slug) => bySlug.get(slug) ?? null);
    },
    { keys, onResult: (set, article) => recordFound(set, "article", article) },
  );

  /** Counts per parent, batched; also what Author.articleCount and Tag.articleCount read. */
  function countLoader(kind: "author" | "tag") {
    return new KeyRecordingLoader<number, number>(
      async (ids) => {
        const { sql, params } = articleCountQuery(context, { parent: { kind, ids: [...ids] } });
        const rows = await db.query<{ parent_id: number; n: number }>(sql, params);
        const counts = new Map(rows.map((r) => [Number(r.parent_id), Number(r.n)]));
        return ids.map((id) => counts.get(id) ?? 0);
      },
      { keys, onLoad: (id) => articlesOfKey(kind, id) },
    );
  }
  const articleCountByAuthor = countLoader("author");
  const articleCountByTag = countLoader("tag");

  /**
   * The pages of one window for the parents in `keys`, from the rows of its page statement. A
   * page past the end (an `after` there) has no row to carry the count: the loader counts.
   */
  function pagesFromRows(query: ArticlePageQuery, rows: Row[], keys: readonly NestedListKey[], counts: DataLoader<number, number>): Page<Article>[] {
    const ids = new Set(keys.map((k) => k.parentId));
    if (query.carriesTotal && ids.size === 1 && (rows.length > 0 || !keys[0].after)) counts.prime(keys[0].parentId, rows.length > 0 ? Number(rows[0].parent_total) : 0);
    const byParent = new Map<number, Article[]>();
    const articles = readArticles(rows, primed);
    rows.forEach((row, index) => {
      const parentId = Number(row.parent_id);
      const list = byParent.get(parentId) ?? [];
      list.push(articles[index]);
      byParent.set(parentId, list);
    });
    return keys.map((key) => toPage(byParent.get(key.parentId) ?? [], key, query.sortKey, () => counts.load(key.parentId)));
  }

  /** Author.articles and Tag.articles: one statement for every parent asking the same window. */
  function nestedListLoader(kind: "author" | "tag", counts: DataLoader<number, number>) {
    return new KeyRecordingLoader<NestedListKey, Page<Article>, string>(
      async (keys) => {
        const groups = new Map<string, NestedListKey[]>();
        for (const key of keys) {
          const group = `${key.first}|${key.after ?? ""}|${key.orderBy ?? ""}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        const pages = new Map<NestedListKey, Page<Article>>();
        for (const groupKeys of groups.values()) {
          const { first, after, orderBy } = groupKeys[0];
          const ids = [...new Set(groupKeys.map((k) => k.parentId))];
          const query = articlePageQuery(context, { parent: { kind, ids }, orderBy }, { first, after });
          const rows = await db.query(query.sql, query.params, { bounded: query.bounded });
          pagesFromRows(query, rows, groupKeys, counts).forEach((page, index) => pages.set(groupKeys[index], page));
        }
        return keys.map((key) => pages.get(key)!);
      },
      {
        keys,
        onResult: (set, page, key) => {
          set.add(articlesOfKey(kind, key.parentId));
          recordListOrder(set, key.orderBy);
          recordArticles(set, page.items, selection().cardOnly.lists);
        },
      },
      { cacheKeyFn: (key) => `${key.parentId}|${key.first}|${key.after ?? ""}|${key.orderBy ?? ""}` },
    );
  }
  const articlesByAuthor = nestedListLoader("author", articleCountByAuthor);
  const articlesByTag = nestedListLoader("tag", articleCountByTag);

  /**
   * `tag(slug:)` or `author(slug:)` whose selection asks for a first page of `articles`: the
   * parent and that page in one statement (the page's rows carry the parent's columns), primed
   * into the loaders the parent's fields read, where a lookup then a page took two. A page with
   * no rows says nothing of its parent (none of its articles visible, or none at all): the
   * lookup decides then, as always. A visible article carrying a tag makes the tag visible to
   * its viewer (tagVisibility); authors are all visible.
   */
  function bySlugWithPage<E extends Author | Tag>(
    kind: "author" | "tag",
    owners: { byId: DataLoader<number, E | null>; bySlug: DataLoader<string, E | null> },
    pages: DataLoader<NestedListKey, Page<Article>, string>,
    counts: DataLoader<number, number>,
    ownerFromRow: (row: Row) => E,
  ) {
    return async (slug: string, window: { first: number; orderBy: ArticleOrder }): Promise<E | null> => {
      const query = articlePageQuery(context, { parent: { kind, slug }, orderBy: window.orderBy }, { first: window.first });
      const rows = await db.query(query.sql, query.params, { bounded: query.bounded });
      if (rows.length > 0) {
        const owner = ownerFromRow(rows[0]);
        owners.byId.prime(owner.id, owner);
        owners.bySlug.prime(slug, owner);
        const key: NestedListKey = { parentId: owner.id, first: window.first, after: null, orderBy: window.orderBy };
        pages.prime(key, pagesFromRows(query, rows, [key], counts)[0]);
      }
      return owners.bySlug.load(slug);
    };
  }

  const relatedByArticle = new KeyRecordingLoader<{ articleId: number; first: number }, RelatedHit[], string>(
    async (wanted) => {
      const first = Math.max(...wanted.map((k) => k.first));
      const ids = [...new Set(wanted.map((k) => k.articleId))];
      const [hits] = await Promise.all([loadRelated(ids, first), recordRelatedPools(ids)]);
      return wanted.map((key) => (hits.get(key.articleId) ?? []).slice(0, key.first));
    },
    { keys, onResult: (set, hits) => recordArticles(set, hits.map((hit) => hit.article), selection().cardOnly.related) },
    { cacheKeyFn: (key) => `${key.articleId}|${key.first}` },
  );

  /**
   * Related answers change when an article enters or leaves the list of any tag the source
   * carries (the candidate pools, the tag weights): they depend on those tags' list keys. The
   * source's tags come from the tag loader, which a page asking for `tags` has already queued.
   */
  async function recordRelatedPools(ids: number[]): Promise<void> {
    if (!keys) return;
    const tagLists = await tagsByArticle.loadMany(ids);
    for (const tags of tagLists) {
      if (tags instanceof Error) throw tags;
      for (const tag of tags) keys.add(articlesOfKey("tag", tag.id));
    }
  }

  /**
   * Related articles for many articles in one statement: the editor's picks in their order,
   * then articles sharing the most tags, each shared tag weighted by 1/(live articles carrying
   * it) so a shared niche tag says more than a shared "Politik"; ties go to the newer article.
   * The weight counts live articles only: a draft or a scheduled article must not move a score
   * the public can read.
   * Candidates sharing a tag are drawn from that tag's newest live articles (the pool, read
   * from the (tag_id, live_at) index), and are ranked before any article row is read, so a
   * popular tag with thousands of articles costs index entries, not thousands of row lookups;
   * a niche tag's articles are all in its pool. Live articles are visible to every viewer, so
   * only editor picks need the visibility check.
   */
  async function loadRelated(ids: number[], first: number): Promise<Map<number, RelatedHit[]>> {
    const single = ids.length === 1;
    const statement = relatedStatement({ list: ":...relatedIds", single: single ? ":singleSource" : null }, first);
    const sql = `WITH ${statement.ctes}
      SELECT ranked.src_id, ranked.kind, ranked.score, ${articleColumns(context.selection, "related", db.dialect)}
      FROM ${statement.from}
      ${single ? `ORDER BY ${RELATED_ORDER("ranked.")}` : `WHERE ranked.related_row <= ${limitSql(first)} ORDER BY ranked.src_id, ranked.related_row`}`;
    const rows = await db.query(sql, { ...statement.params, relatedIds: ids, ...(single ? { singleSource: ids[0] } : {}) });
    const result = new Map<number, RelatedHit[]>();
    for (const row of rows) {
      const srcId = Number(row.src_id);
      const list = result.get(srcId) ?? [];
      list.push(relatedHitFromRow(row));
      result.set(srcId, list);
    }
    return result;
  }

  function relatedHitFromRow(row: Row): RelatedHit {
    const [article] = readArticles([row], primed);
    const editorPick = Number(row.kind) === 0;
    return {
      article,
      score: editorPick ? 1 : Number(row.score),
      reason: editorPick ? RelatedReason.EDITOR_PICK : RelatedReason.SHARED_TAGS,
    };
  }

  /**
   * The CTEs (up to `ranked`) and the FROM of the related statement, for the sources `list`
   * (what goes inside `IN (…)`) of which `single`, when there is one source, is that one: bound
   * ids, or the article a page statement has just found (articleWithRelated).
   */
  function relatedStatement(sources: { list: string; single: string | null }, first: number) {
    const vis = visible();
    // Which pooled candidates are already picks: PostgreSQL reads the sources' picks once, where
    // an index probe of article_related per candidate (hundreds a page) cost half the statement
    // (pgbench: 790-890 -> 1,350-1,720 statements/s); SQLite's probe of its primary key is the
    // cheaper of the two there (0.8-0.9 against 1.1 ms a statement).
    const picksOnce = db.dialect === "postgres";
    // An article page ranks one source: a top-N sort keeps its few best candidates where a window
    // sorts them all (pgbench on the statement alone: 380 -> 500-520 statements/s). A list's
    // related links rank each source apart.
    const single = sources.single;
    const candidates = "(SELECT * FROM picks UNION ALL SELECT * FROM shared) c";
    const picked = picksOnce ? "pick_ids" : "article_related";
    // One source: every pooled row is one of its tags' and carries that tag's weights, so the pool
    // is grouped as it is, without joining it back to the source's tags (another fifth).
    const singleSourceGrouped = `
        SELECT CAST(${single} AS BIGINT) AS src_id, p.article_id AS dst_id, 1 AS kind, 0 AS pick_position, SUM(p.weight) AS rank_score, SUM(p.share) AS score, MAX(p.live_at) AS live_at
        FROM tag_pool p`;
    // On PostgreSQL the picks are read once, so one source's candidates are ranked first and the
    // picks struck out of the best `first` rather than probed for each of the pool's rows (a tenth
    // of the statement). Enough remain: a candidate struck out is a live pick, listed ahead of
    // every shared link, so each one struck out is one fewer shared link the page needs.
    const singleSourceShared = picksOnce
      ? `SELECT * FROM (${singleSourceGrouped}
          WHERE p.article_id <> ${single}
          GROUP BY p.article_id
          ORDER BY rank_score DESC, live_at DESC, dst_id DESC LIMIT ${limitSql(first)}
        ) best WHERE NOT EXISTS (SELECT 1 FROM pick_ids r WHERE r.related_id = best.dst_id)`
      : `${singleSourceGrouped}
        WHERE p.article_id <> ${single} AND NOT EXISTS (SELECT 1 FROM ${picked} r WHERE r.article_id = ${single} AND r.related_id = p.article_id)
        GROUP BY p.article_id`;
    const manySourcesShared = `
        SELECT st.src_id, p.article_id AS dst_id, 1 AS kind, 0 AS pick_position, SUM(tw.weight) AS rank_score, SUM(tw.share) AS score, MAX(p.live_at) AS live_at
        FROM src_tags st
        JOIN tag_pool p ON p.tag_id = st.tag_id AND p.article_id <> st.src_id
        JOIN tag_weights tw ON tw.tag_id = st.tag_id
        WHERE NOT EXISTS (SELECT 1 FROM ${picked} r WHERE r.article_id = st.src_id AND r.related_id = p.article_id)
        GROUP BY st.src_id, p.article_id`;
    const ranked = single
      ? `ranked AS (SELECT c.* FROM ${candidates} ORDER BY ${RELATED_ORDER("c.")} LIMIT ${limitSql(first)})`
      : `ranked AS (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.src_id ORDER BY ${RELATED_ORDER("c.")}) AS related_row FROM ${candidates})`;
    const ctes = `src_tags AS (
        SELECT article_id AS src_id, tag_id FROM article_tags WHERE article_id IN (${sources.list})
      ),
${picksOnce ? `      pick_ids AS MATERIALIZED (
        SELECT article_id, related_id FROM article_related WHERE article_id IN (${sources.list})
      ),` : ""}
      -- MATERIALIZED: tag_weights names live four times, and each inlined copy counted again
      -- (PostgreSQL: four subplans a tag; the statement's database CPU 0.87-0.99 -> 0.76-0.91 ms).
      tag_live AS MATERIALIZED (
        SELECT t.id AS tag_id, ${liveTagCountSql("t", "poolNow")} AS live FROM tags t WHERE t.id IN (SELECT tag_id FROM src_tags)
      ),
      tag_weights AS MATERIALIZED (
        SELECT tag_id, CAST(${RELATED_WEIGHT_SCALE} / (CASE WHEN live > 1 THEN live ELSE 1 END) AS INTEGER) AS weight,
          CAST(1 AS DOUBLE PRECISION) / (CASE WHEN live > 1 THEN live ELSE 1 END) AS share FROM tag_live
      ),
      ${relatedPoolCte(hasLateralJoin(db), single !== null)},
      picks AS (
        -- CROSS JOIN fixes the join order: from the few picks to their articles, never the reverse.
        SELECT r.article_id AS src_id, r.related_id AS dst_id, 0 AS kind, r.position AS pick_position, 0 AS rank_score, CAST(0 AS DOUBLE PRECISION) AS score, a.published_at AS live_at
        FROM article_related r CROSS JOIN articles a
        WHERE a.id = r.related_id AND r.article_id IN (${sources.list}) AND r.related_id <> r.article_id AND ${vis.sql}
      ),
      shared AS (${single ? singleSourceShared : manySourcesShared}),
      ${ranked}`;
    return {
      ctes,
      from: "ranked JOIN articles a ON a.id = ranked.dst_id JOIN authors au ON au.id = a.author_id",
      params: { ...vis.params, poolNow: timestampParam(db, now) },
    };
  }

  /**
   * `article(id:|slug:)` whose selection asks for its `related`: the article and its related
   * links in one statement, where a lookup then a ranking took two round trips. The article's
   * row comes first (kind -1), then the links in their order; both parts' columns, padded to
   * the same list, as their own statements would read them. The lookup's visibility is the
   * by-key loaders' (editors open deleted articles), the links' the related loader's, and the
   * loaders are primed with both, so the resolvers read them (and record their cache keys) as
   * on the two-statement path.
   */
  async function articleWithRelated(by: { id: number } | { slug: string }, first: number): Promise<Article | null> {
    const lookup = visible({ includeDeleted: true });
    const related = relatedStatement({ list: "SELECT a_id FROM page_article", single: "(SELECT a_id FROM page_article)" }, first);
    const pageChips = carriesChips(context.selection, "byKey");
    const relatedChips = carriesChips(context.selection, "related");
    const pad = { padChips: pageChips || relatedChips };
    const sql = `WITH page_article AS MATERIALIZED (
        SELECT ${articleColumns(context.selection, "byKey", db.dialect, pad)} FROM ${ARTICLE_FROM}
        WHERE ${"id" in by ? "a.id" : "a.slug"} = :pageKey AND ${lookup.sql}
      ),
      ${related.ctes}
      SELECT NULL AS src_id, -1 AS kind, NULL AS score, NULL AS pick_position, NULL AS rank_score, NULL AS live_at, NULL AS dst_id, page_article.* FROM page_article
      UNION ALL
      SELECT ranked.src_id, ranked.kind, ranked.score, ranked.pick_position, ranked.rank_score, ranked.live_at, ranked.dst_id,
        ${articleColumns(context.selection, "related", db.dialect, pad)}
      FROM ${related.from}
      ORDER BY ${RELATED_ORDER("")}`;
    const rows = await db.query(sql, { ...lookup.params, ...related.params, pageKey: "id" in by ? by.id : by.slug });
    const pageRow = rows.length > 0 && Number(rows[0].kind) === -1 ? rows[0] : undefined;
    const article = pageRow ? readArticles([pageChips ? pageRow : withoutChips(pageRow)], primed)[0] : null;
    if ("slug" in by) articleBySlug.prime(by.slug, article);
    if (article) {
      articleById.prime(article.id, article);
      const hits = rows.slice(1).map((row) => relatedHitFromRow(relatedChips ? row : withoutChips(row)));
      relatedByArticle.prime({ articleId: article.id, first }, hits);
      await recordRelatedPools([article.id]);
    } else if ("id" in by) {
      articleById.prime(by.id, null);
    }
    return "slug" in by ? articleBySlug.load(by.slug) : articleById.load(by.id);
  }

  /** The top-level `articles` list; not batched because a request asks for it once. */
  async function listArticles(filter: ArticleFilterValues | null | undefined, orderBy: ArticleOrder | null | undefined, window: ArticleWindow): Promise<Page<Article>> {
    const spec: ArticleListSpec = { filter, orderBy };
    const query = articlePageQuery(context, spec, window);
    const rows = readArticles(await db.query(query.sql, query.params, { bounded: query.bounded }), primed);
    if (keys) {
      keys.add(ENTITY_LISTS.article);
      recordFilter(keys, filter);
      recordListOrder(keys, orderBy);
      recordArticles(keys, rows.slice(0, window.first), selection().cardOnly.lists);
    }
    let count: Promise<number> | undefined;
    return toPage(rows, window, query.sortKey, () => {
      count ??= (async () => {
        const { sql, params } = articleCountQuery(context, spec);
        const [row] = await db.query<{ n: number }>(sql, params);
        return Number(row.n);
      })();
      return count;
    });
  }

  return {
    articleById,
    articleBySlug,
    articleCountByAuthor,
    articleCountByTag,
    articlesByAuthor,
    articlesByTag,
    authorBySlugWithPage: bySlugWithPage("author", { byId: primed.authorById, bySlug: primed.authorBySlug }, articlesByAuthor, articleCountByAuthor, authorFromArticleRow),
    tagBySlugWithPage: bySlugWithPage("tag", { byId: primed.tagById, bySlug: primed.tagBySlug }, articlesByTag, articleCountByTag, tagFromRow),
    relatedByArticle,
    articleWithRelated,
    listArticles,
  };
}
