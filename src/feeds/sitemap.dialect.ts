import type { DialectSource } from "../db/dialect";
import { isPostgres } from "../db/dialect";

/** `YYYY-MM` of a stored UTC timestamp: what groups articles into monthly sitemap files. */
export function utcMonthSql(dataSource: DialectSource, column: string): string {
  // SQLite keeps TypeORM's "YYYY-MM-DD HH:MM:SS.SSS" UTC text; PostgreSQL a timestamptz.
  return isPostgres(dataSource) ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM')` : `strftime('%Y-%m', ${column})`;
}

/**
 * `articles a` for a scan of every live article (the sitemap index's months), on the partial index
 * of live articles (migration 1732700000450), which holds the dates it reads: no article row is
 * touched. Without statistics SQLite's planner prefers ix_articles_published and reads every row
 * (bodies included), 20x slower at 20,000 articles; PostgreSQL's planner chooses by itself.
 */
export function liveArticlesFrom(dataSource: DialectSource): string {
  return isPostgres(dataSource) ? "articles a" : "articles a INDEXED BY ix_articles_live";
}
