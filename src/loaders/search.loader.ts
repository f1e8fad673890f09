import type { Article } from "../entities/article.entity";
import { timestampParam } from "../db/dialect";
import { badInput } from "../errors";
import { decodeCursor, encodeCursor } from "../pagination/cursor";
import type { Page } from "../pagination/page";
import { buildFtsQuery, parseSearchQuery } from "../search/fts-query";
import { ftsModuleFor } from "../db/dialect";
import { assertPrefixesLongEnough } from "../search/search-price";
import {
  addDateKeyset,
  ArticleOrder,
  buildConditions,
  hasFilter,
  sortExpression,
  sortValue,
  type ArticleFilterValues,
  type ArticleWindow,
} from "./article-query";
import { entityKey, SEARCH_KEY } from "../events/content-events";
import { readArticles, recordFilter, type RowPrimedLoaders } from "./article.loader";
import type { ReadContext } from "./read-context";
import { articleColumns } from "./rows";

export enum SearchOrder {
  RELEVANCE = "RELEVANCE",
  NEWEST = "NEWEST",
}

export interface SearchHitData {
  article: Article;
  /** Higher is better; -bm25 with the column weights of the index. */
  score: number;
  /** Folded query words (prefixes end in `*`) for highlighting the snippet. */
  terms: string[];
}

/**
 * Relevance pages use an offset cursor rather than a keyset: bm25 scores are floats that move
 * whenever any article is written (they depend on corpus statistics), so a (score, id) keyset
 * would skip or repeat rows just as easily, and with more code. A search result is not a
 * stable list a reader walks for long; an offset is honest about that. NEWEST order is a
 * stable list and pages by (date, id) keyset like `articles`.
 */
const RELEVANCE_CURSOR = "relevance";

function relevanceOffset(after: string | null | undefined): number {
  if (!after) return 0;
  const [kind, offset] = decodeCursor(after);
  if (kind !== RELEVANCE_CURSOR || offset < 0) throw badInput('"after" is not a cursor for this search order', { after: "malformed cursor" });
  return offset;
}

export function createSearchLoaders(context: ReadContext, primed: RowPrimedLoaders) {
  const { db } = context;

  /** Runs a search statement; FTS5 errors become a generic BAD_USER_INPUT, never the SQLite text. */
  async function run(sql: string, params: Record<string, unknown>, isMatchError: (e: unknown) => boolean) {
    try {
      // Heavy: how long a search takes depends on how broad its words are.
      return await db.query(sql, params, { heavy: true });
    } catch (error) {
      if (isMatchError(error)) throw badInput("the search query could not be understood", { query: "not searchable" });
      throw error;
    }
  }

  /**
   * One page of hits in one statement: the FTS match joined to articles and authors, filtered
   * by visibility and the article filters, ordered and limited in SQL, reading the columns the
   * hits' fields need (the body only for a snippet or the body itself). A public page, cut from
   * the matches before any article is read, carries its hits' tag chips too; otherwise tags come
   * from the batched tag loader like any other article's.
   */
  async function search(input: string, filter: ArticleFilterValues | null | undefined, orderBy: SearchOrder, window: ArticleWindow): Promise<Page<SearchHitData>> {
    const fts = ftsModuleFor(db);
    const parsed = parseSearchQuery(input);
    if (!parsed) throw badInput("query has no searchable words", { query: "no searchable words" });
    const flat = buildFtsQuery(input);
    if (flat) assertPrefixesLongEnough(flat);
    // The public without filters: visibility is the index row's live_at where the engine stores
    // it, so matches are ranked and paged before any article row is read.
    const publicOnly = context.viewer.kind === "anonymous" && !hasFilter({ filter });
    const match = await fts.prepareMatch((sql, params) => db.query(sql, params, { heavy: true }), db, parsed, {
      liveAt: publicOnly ? timestampParam(db, context.now) : undefined,
    });

    const conditions = buildConditions(context, { filter });
    Object.assign(conditions.params, match.params);
    conditions.where.unshift("a.id = s.article_id");

    const newestSort = sortExpression(ArticleOrder.PUBLISHED_AT_DESC, context);
    let offset = 0;
    let orderSql: string;
    // On live rows live_at is published_at, so the page's order is the same either way.
    let pageOrderSql: string | null = null;
    const pageWhere: string[] = [];
    if (orderBy === SearchOrder.NEWEST) {
      if (match.liveOnly) {
        if (window.after) addDateKeyset(context, { where: pageWhere, params: conditions.params, joins: [] }, "m.live_at", "<", window.after, "m.article_id");
        pageOrderSql = "m.live_at DESC, m.article_id DESC";
      } else if (window.after) {
        addDateKeyset(context, conditions, newestSort, "<", window.after);
      }
      orderSql = `${newestSort} DESC, a.id DESC`;
    } else {
      offset = relevanceOffset(window.after);
      // Equal relevance (the same words as often in texts as long) goes to the newer article.
      orderSql = `s.rank, ${newestSort} DESC, a.id DESC`;
      if (match.liveOnly) pageOrderSql = "m.rank, m.live_at DESC, m.article_id DESC";
    }
    // CROSS JOIN fixes the join order: from the matches to their articles. Left to choose, the
    // planner walks all published articles by date and evaluates the MATCH once per article
    // (hundreds of times slower on a large archive). With live rows only, the page is cut from
    // the matches first; the visibility condition still applies to its articles, so a live_at
    // out of step with its article could shorten a page but never show a draft.
    const matches = pageOrderSql
      ? `(SELECT m.article_id, m.rank FROM ${match.source} m ${pageWhere.length > 0 ? `WHERE ${pageWhere.join(" AND ")}` : ""}
          ORDER BY ${pageOrderSql} LIMIT :pageLimit OFFSET :pageOffset)`
      : match.source;
    const from = `${matches} s CROSS JOIN articles a JOIN authors au ON au.id = a.author_id ${conditions.joins.join(" ")}`;
    const where = conditions.where.join(" AND ");
    // Unlike page statements (limitSql), the limit is bound: PostgreSQL then keeps one generic plan
    // for every search, where with the limit in the text it planned each search's terms anew
    // (loader median at 100,000 articles 24 -> 35 ms).
    const params = { ...conditions.params, pageLimit: window.first + 1, pageOffset: offset };
    const columns = articleColumns(context.selection, "search", pageOrderSql ? db.dialect : undefined);
    const sql = `SELECT ${columns}, s.rank AS search_rank FROM ${from} WHERE ${where}
      ORDER BY ${orderSql} LIMIT :pageLimit ${pageOrderSql ? "" : "OFFSET :pageOffset"}`;
    const rows = await run(sql, params, fts.isMatchError);

    const articles = readArticles(rows, primed);
    const hits: SearchHitData[] = rows.map((row, i) => ({ article: articles[i], score: -Number(row.search_rank), terms: parsed.terms }));
    const items = hits.slice(0, window.first);
    if (context.keys) {
      context.keys.add(SEARCH_KEY);
      recordFilter(context.keys, filter);
      for (const hit of items) context.keys.add(entityKey("article", hit.article.id));
    }
    const cursorAt = (i: number) =>
      orderBy === SearchOrder.NEWEST
        ? encodeCursor([sortValue(ArticleOrder.PUBLISHED_AT_DESC, items[i].article), items[i].article.id])
        : encodeCursor([RELEVANCE_CURSOR, offset + i + 1]);

    let count: Promise<number> | undefined;
    const countConditions = buildConditions(context, { filter });
    countConditions.where.unshift("a.id = s.article_id");
    const countNeedsAuthor = countConditions.where.some((w) => w.includes("au."));
    const countSql = match.liveOnly
      ? `SELECT COUNT(*) AS n FROM ${match.countSource} s`
      : `SELECT COUNT(*) AS n FROM ${match.countSource} s CROSS JOIN articles a
            ${countNeedsAuthor ? "JOIN authors au ON au.id = a.author_id" : ""} ${countConditions.joins.join(" ")}
            WHERE ${countConditions.where.join(" AND ")}`;
    return {
      items,
      cursorAt,
      hasNextPage: hits.length > window.first,
      hasPreviousPage: Boolean(window.after),
      totalCount: () =>
        (count ??= (async () => {
          const [row] = await run(countSql, { ...countConditions.params, ...match.params }, fts.isMatchError);
          return Number(row.n);
        })()),
    };
  }

  return { search };
}
