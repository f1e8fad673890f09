import type { DataSource, EntityManager } from "typeorm";
import type { Dialect } from "../db/dialect";
import { userError } from "../errors";
import * as sqliteFts from "./fts.sqlite";

/**
 * Picks the full-text module for the database in use. Only SQLite (FTS5) exists so far; on
 * PostgreSQL writes skip the index and `search` answers with a clear error instead of failing
 * somewhere inside SQL (a tsvector module, fts.postgres.ts, would slot in here).
 */
export type FtsModule = typeof sqliteFts;

function isSqlite(type: string): boolean {
  return type === "sqlite" || type === "better-sqlite3";
}

export function ftsModuleFor(source: DataSource | { readonly dialect: Dialect }): FtsModule {
  if ("dialect" in source ? source.dialect === "sqlite" : isSqlite(source.options.type)) return sqliteFts;
  throw userError("BAD_USER_INPUT", "full-text search is not available on this database yet (SQLite only)");
}

/**
 * Keeps the full-text index in step with articles. Writers (services, the importer) call it
 * inside their transaction after changing articles, so the index never lags a commit: each id's
 * row is rewritten from the article's current text, or removed when the article is gone.
 * Many ids at once are batched (one multi-row INSERT per chunk).
 */
export async function reindexArticles(manager: EntityManager, articleIds: number[]): Promise<void> {
  if (articleIds.length === 0 || !isSqlite(manager.connection.options.type)) return;
  await sqliteFts.reindexRows(manager, articleIds);
}
