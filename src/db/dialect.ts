import type { DataSource } from "typeorm";

/**
 * The few places where SQLite and PostgreSQL differ for reads, kept together so a
 * raw-SQL loader can stay portable: placeholders, and how a timestamp comes back.
 */
export function isPostgres(dataSource: DataSource): boolean {
  return dataSource.options.type === "postgres";
}

/** SQLite returns TypeORM's `YYYY-MM-DD HH:MM:SS.SSS` UTC text; PostgreSQL returns a Date. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(text.includes("T") ? text : `${text.replace(" ", "T")}Z`);
}

/** The form a timestamp parameter must take to compare correctly with stored values. */
export function timestampParam(dataSource: DataSource, date: Date): string | Date {
  if (isPostgres(dataSource)) return date;
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/** Runs raw SQL written with TypeORM's `:name` / `:...list` parameters on either dialect. */
export async function queryNamed<Row = Record<string, unknown>>(
  dataSource: DataSource,
  sql: string,
  params: Record<string, unknown>,
): Promise<Row[]> {
  const [query, values] = dataSource.driver.escapeQueryWithParameters(sql, params, {});
  return dataSource.query(query, values);
}
