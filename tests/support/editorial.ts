import type { TestServer } from "./server";
import { createToken } from "../../src/services/token.service";
import { Role } from "../../src/viewer";

export { Role };

/** A real token made by the token service (no hand-made hashes); returns the header that carries it. */
export async function bearer(server: TestServer, role: Role, authorSlug?: string, name = `${role.toLowerCase()} ${authorSlug ?? "desk"}`) {
  const { token, secret } = await createToken(server.dataSource, "console", { name, role, authorSlug }, server.clock.now());
  return { headers: { authorization: `Bearer ${secret}` }, secret, token };
}

/** The error code of the first error, or "ok" when the response carries data and no error. */
export function outcome(response: { body: { errors?: { extensions?: Record<string, any> }[] } }): string {
  return response.body.errors?.length ? String(response.body.errors[0].extensions?.code) : "ok";
}

/** A summary of everything a write could change, to assert that a refused write changed nothing. */
export async function fingerprint(server: TestServer): Promise<string> {
  const [row] = await server.dataSource.query(`SELECT
    (SELECT COUNT(*) FROM articles) AS articles,
    (SELECT MAX(updated_at) FROM articles) AS article_updated,
    (SELECT COUNT(*) FROM article_revisions) AS revisions,
    (SELECT COUNT(*) FROM article_tags) AS article_tags,
    (SELECT COUNT(*) FROM article_related) AS related,
    (SELECT COUNT(*) FROM tags) AS tags,
    (SELECT MAX(updated_at) FROM tags) AS tag_updated,
    (SELECT COUNT(*) FROM authors) AS authors,
    (SELECT MAX(updated_at) FROM authors) AS author_updated,
    (SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL) AS live_tokens`);
  return JSON.stringify(row);
}

export const ARTICLE_FIELDS = `id slug title status publishedAt updatedAt deletedAt wordCount author { slug } tags { slug }`;
