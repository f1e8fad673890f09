import type { EntityManager } from "typeorm";
import { slugify } from "../lib/slug";

type SluggedTable = "articles" | "authors" | "tags";

/** A slug from free text; text with no letters or digits at all still gets a usable handle. */
export function slugFrom(text: string, fallback: string): string {
  return slugify(text, 80) || fallback;
}

/**
 * The base itself when free, else base-2, base-3, ...: a clash is never an error the editor
 * has to solve. Runs inside the write transaction, and writers are serialized, so nobody can
 * take the chosen slug between this read and the insert. Deleted articles keep their slug
 * (they can be restored), so they count as taken.
 */
export async function uniqueSlug(manager: EntityManager, table: SluggedTable, base: string, excludeId?: number): Promise<string> {
  const [sql, params] = manager.connection.driver.escapeQueryWithParameters(
    `SELECT slug FROM ${table} WHERE (slug = :base OR slug LIKE :pattern) AND id <> :excludeId`,
    { base, pattern: `${base}-%`, excludeId: excludeId ?? -1 },
    {},
  );
  const taken = new Set((await manager.query(sql, params)).map((row: { slug: string }) => row.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
