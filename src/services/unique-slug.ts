import { slugify } from "../lib/slug";

/**
 * A slug from free text; text with no letters or digits at all still gets a usable handle.
 * Making it unique is the repositories' job (withUniqueSlug in src/repositories/slug.repository.ts).
 */
export function slugFrom(text: string, fallback: string): string {
  return slugify(text, 80) || fallback;
}
