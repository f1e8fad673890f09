import type { DataSource } from "typeorm";

export type Dialect = "sqlite" | "postgres";

/** A TypeORM DataSource, or the read database (src/db/read-database.ts), which names its dialect. */
export type DialectSource = DataSource | { readonly dialect: Dialect };

/**
 * The few places where SQLite and PostgreSQL differ for reads, kept together so a
 * raw-SQL loader can stay portable: placeholders, and how a timestamp comes back.
 */
export function isPostgres(source: DialectSource): boolean {
  return "dialect" in source ? source.dialect === "postgres" : source.options.type === "postgres";
}

const digits = (text: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
};

/**
 * SQLite returns TypeORM's `YYYY-MM-DD HH:MM:SS[.SSS]` UTC text; PostgreSQL returns a Date.
 * Every article row carries four timestamps, so the fixed layout is read by position rather
 * than through the general date parser, which showed up in profiles of list pages.
 */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  // Drivers hand back text (or a number); anything else was never a timestamp.
  if (typeof value !== "string" && typeof value !== "number") return new Date(NaN);
  const text = String(value);
  if ((text.length === 19 || text.length === 23) && text.charCodeAt(10) === 32) {
    const year = digits(text, 0, 4);
    const date = new Date(
      Date.UTC(year, digits(text, 5, 7) - 1, digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), text.length === 23 ? digits(text, 20, 23) : 0),
    );
    // Date.UTC reads years 0–99 as 1900–1999.
    if (year < 100) date.setUTCFullYear(year, digits(text, 5, 7) - 1, digits(text, 8, 10));
    return date;
  }
  return new Date(text.includes("T") ? text : `${text.replace(" ", "T")}Z`);
}

/** The form a timestamp parameter must take to compare correctly with stored values. */
export function timestampParam(source: DialectSource, date: Date): string | Date {
  if (isPostgres(source)) return date;
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
