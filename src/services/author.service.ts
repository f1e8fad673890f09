import { Author } from "../entities/author.entity";
import { ApiToken } from "../entities/api-token.entity";
import { Article } from "../entities/article.entity";
import { writeTransaction } from "../db/write-lock";
import { conflict, notFound } from "../errors";
import { Role } from "../viewer";
import { requireRole } from "./access";
import { personOrTagKeys, recordContentEvent } from "../events/content-events";
import { slugFrom } from "./unique-slug";
import { withUniqueSlug } from "../repositories/slug.repository";
import type { WriteContext } from "./write-context";

export interface AuthorValues {
  name?: string | null;
  slug?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
}

export async function createAuthor(context: WriteContext, input: AuthorValues & { name: string }): Promise<Author> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const saved = await withUniqueSlug(manager, "authors", input.slug ?? slugFrom(input.name, "penulis"), (slug, m) =>
      m.getRepository(Author).save(
        m.getRepository(Author).create({
          name: input.name.trim(),
          slug,
          bio: input.bio ?? null,
          avatarUrl: input.avatarUrl ?? null,
          createdAt: context.now,
          updatedAt: context.now,
        }),
      ),
    );
    recordContentEvent({ type: "author.created", entity: "author", id: saved.id, slug: saved.slug, keys: personOrTagKeys("author", saved.id), occurredAt: context.now });
    return saved;
  });
}

export async function updateAuthor(context: WriteContext, id: number, input: AuthorValues): Promise<Author> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const author = await manager.findOne(Author, { where: { id } });
    if (!author) throw notFound(`author ${id}`);
    if (input.name != null) author.name = input.name.trim();
    if (input.bio !== undefined) author.bio = input.bio;
    if (input.avatarUrl !== undefined) author.avatarUrl = input.avatarUrl;
    author.updatedAt = context.now;
    const newSlug = input.slug != null && input.slug !== author.slug ? input.slug : null;
    const saved = newSlug
      ? await withUniqueSlug(manager, "authors", newSlug, (slug, m) => m.save(Object.assign(author, { slug })), id)
      : await manager.save(author);
    recordContentEvent({ type: "author.updated", entity: "author", id, slug: saved.slug, keys: personOrTagKeys("author", id), occurredAt: context.now });
    return saved;
  });
}

/** Only an author nobody refers to: articles (deleted ones too, they can be restored) or tokens. */
export async function deleteAuthor(context: WriteContext, id: number): Promise<boolean> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const author = await manager.findOne(Author, { where: { id } });
    if (!author) throw notFound(`author ${id}`);
    const articles = await manager.count(Article, { where: { authorId: id }, withDeleted: true });
    if (articles > 0) throw conflict(`author "${author.slug}" still has ${articles} article(s); move or remove them first`);
    const tokens = await manager.count(ApiToken, { where: { authorId: id } });
    if (tokens > 0) throw conflict(`author "${author.slug}" is bound to ${tokens} API token(s)`);
    await manager.delete(Author, { id });
    recordContentEvent({ type: "author.deleted", entity: "author", id, slug: author.slug, keys: personOrTagKeys("author", id), occurredAt: context.now });
    return true;
  });
}
