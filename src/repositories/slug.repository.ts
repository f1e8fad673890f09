import type { EntityManager } from "typeorm";
import { lockKey, timestampParam } from "../db/dialect";
import { isUniqueViolation } from "../db/driver-errors";
import { queryNamed } from "../db/named-sql";
import { conflict } from "../errors";
import { bulkInsert, chunked } from "./bulk";

export type SluggedTable = "articles" | "authors" | "tags";

/** Tries before a slug clash that keeps recurring is refused with CONFLICT; each try re-reads the taken slugs. */
const SLUG_ATTEMPTS = 5;

/**
 * The base itself when free, else base-2, base-3, ...: a clash is never an error the editor
 * has to solve. Deleted articles keep their slug (they can be restored), so they count as taken.
 */
export async function freeSlug(manager: EntityManager, table: SluggedTable, base: string, excludeId?: number): Promise<string> {
  const rows = await queryNamed<{ slug: string }>(manager, `SELECT slug FROM ${table} WHERE (slug = :base OR slug LIKE :pattern) AND id <> :excludeId`, {
    base,
    pattern: `${base}-%`,
    excludeId: excludeId ?? -1,
  });
  const taken = new Set(rows.map((row) => row.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Writes a row under a free slug derived from `base`. On PostgreSQL writers run side by side
 * and two of them would both see `base-2` free: writers of the same base take turns (lockKey),
 * so the second sees the first's slug once it commits. Slugs of other bases can still land on
 * the same value (a title "Banjir 2" against a second "Banjir"), so the unique index has the
 * last word: the write runs in a savepoint, and when the index refuses the slug the savepoint is
 * rolled back and the next free slug is tried. On SQLite the transaction holds the only writer,
 * so the first choice always holds.
 */
export async function withUniqueSlug<T>(
  manager: EntityManager,
  table: SluggedTable,
  base: string,
  write: (slug: string, manager: EntityManager) => Promise<T>,
  excludeId?: number,
): Promise<T> {
  await lockKey(manager, `slug:${table}:${base}`);
  for (let attempt = 1; ; attempt++) {
    const slug = await freeSlug(manager, table, base, excludeId);
    try {
      return await manager.transaction((savepoint) => write(slug, savepoint));
    } catch (error) {
      if (!isUniqueViolation(error, { table, column: "slug" })) throw error;
      if (attempt >= SLUG_ATTEMPTS) throw conflict(`the slug "${base}" kept being taken by concurrent writes; try again`);
    }
  }
}

export interface Named {
  slug: string;
  name: string;
}

/**
 * Ids of authors or tags by slug, creating the missing ones (named as given). Another writer may
 * create the same slug at the same moment: the insert skips what the unique index already
 * holds and the ids are read back afterwards, so both writers end up with the same row.
 * Returns the ids in the order given and the rows this call found missing (for content events).
 */
export async function ensureBySlug(
  manager: EntityManager,
  table: "authors" | "tags",
  wanted: readonly Named[],
  now: Date,
): Promise<{ ids: number[]; created: { id: number; slug: string }[] }> {
  const idBySlug = new Map<string, number>();
  const load = async (slugs: string[]) => {
    for (const chunk of chunked(slugs)) {
      const rows = await queryNamed<{ id: number; slug: string }>(manager, `SELECT id, slug FROM ${table} WHERE slug IN (:...slugs)`, { slugs: chunk });
      for (const row of rows) idBySlug.set(row.slug, Number(row.id));
    }
  };
  const unique = [...new Map(wanted.map((entry) => [entry.slug, entry])).values()];
  await load(unique.map((entry) => entry.slug));
  const missing = unique.filter((entry) => !idBySlug.has(entry.slug));
  if (missing.length > 0) {
    const stamp = timestampParam(manager.connection, now);
    await bulkInsert(manager, table, ["slug", "name", "created_at", "updated_at"], missing.map((entry) => [entry.slug, entry.name, stamp, stamp]), {
      rowsPerStatement: 5_000,
      ignoreConflictOn: ["slug"],
    });
    await load(missing.map((entry) => entry.slug));
  }
  return {
    ids: wanted.map((entry) => idBySlug.get(entry.slug)!),
    created: missing.map((entry) => ({ id: idBySlug.get(entry.slug)!, slug: entry.slug })),
  };
}
