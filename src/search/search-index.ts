import type { EntityManager, QueryRunner } from "typeorm";
import { ftsModuleFor } from "../db/dialect";
import type { SearchExpression } from "./fts-query";
import type { NamedQuery } from "./fts.postgres";

type Runner = Pick<EntityManager, "query"> | Pick<QueryRunner, "query">;

/**
 * What a full-text engine module provides: fts.sqlite.ts (FTS5) and fts.postgres.ts (tsvector)
 * behave the same (same stemmed tokens, same query meaning, bm25 with the same weights).
 */
export interface FtsModule {
  /**
   * The matching part of a search: a derived table `source` `(article_id, rank)` (lower rank
   * better), `countSource` `(article_id)` for counting (no ranking work), and their `:named`
   * parameters. `query` runs any statement needed first (PostgreSQL counts corpus statistics
   * for bm25, cached per `cacheKey`). With `liveAt` (a timestamp parameter), an engine whose
   * index stores the publication instant keeps only the articles live at it and adds their
   * `live_at` to `source` (liveOnly true); otherwise liveOnly is false and visibility is the
   * caller's to check on the articles.
   */
  prepareMatch(
    query: NamedQuery,
    cacheKey: object,
    expression: SearchExpression,
    options?: { liveAt?: unknown },
  ): Promise<{ source: string; countSource: string; params: Record<string, unknown>; liveOnly: boolean }>;
  /** True when a driver error is the engine refusing the query (never a bug elsewhere). */
  isMatchError: (error: unknown) => boolean;
  reindexRows(runner: Runner, articleIds: number[]): Promise<number>;
  rebuildIndex(runner: Runner, onProgress?: (rows: number) => void): Promise<number>;
}

/**
 * Keeps the full-text index in step with articles. Writers (services, the importer) call it
 * inside their transaction after changing articles, so the index never lags a commit: each id's
 * row is rewritten from the article's current text, or removed when the article is gone.
 * Many ids at once are batched (one multi-row INSERT per chunk).
 */
export async function reindexArticles(manager: EntityManager, articleIds: number[]): Promise<void> {
  if (articleIds.length === 0) return;
  await ftsModuleFor(manager.connection).reindexRows(manager, articleIds);
}
