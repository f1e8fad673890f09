import type { EntityManager } from "typeorm";
import { ensureBySlug, type Named } from "./slug.repository";

/** Author ids by slug, creating missing authors; see ensureBySlug. */
export function ensureAuthors(manager: EntityManager, authors: readonly Named[], now: Date) {
  return ensureBySlug(manager, "authors", authors, now);
}
