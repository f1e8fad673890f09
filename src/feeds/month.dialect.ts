import type { DataSource } from "typeorm";
import { isPostgres } from "../db/dialect";

/** `YYYY-MM` of a stored UTC timestamp: what groups articles into monthly sitemap files. */
export function utcMonthSql(dataSource: DataSource, column: string): string {
  // SQLite keeps TypeORM's "YYYY-MM-DD HH:MM:SS.SSS" UTC text; PostgreSQL a timestamptz.
  return isPostgres(dataSource) ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM')` : `strftime('%Y-%m', ${column})`;
}
