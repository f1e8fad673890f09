import { Author } from "../entities/author.entity";
import { ApiToken } from "../entities/api-token.entity";
import { Article } from "../entities/article.entity";
import { createNamed, deleteNamed, updateNamed, type NameValues, type NamedKind } from "./named-entity.service";
import type { WriteContext } from "./write-context";

export interface AuthorValues extends NameValues {
  bio?: string | null;
  avatarUrl?: string | null;
}

const AUTHOR: NamedKind<Author> = { kind: "author", entity: Author, table: "authors", fallbackSlug: "penulis" };

export function createAuthor(context: WriteContext, input: AuthorValues & { name: string }): Promise<Author> {
  return createNamed(context, AUTHOR, input, { bio: input.bio ?? null, avatarUrl: input.avatarUrl ?? null });
}

export function updateAuthor(context: WriteContext, id: number, input: AuthorValues): Promise<Author> {
  return updateNamed(context, AUTHOR, id, input, { bio: input.bio, avatarUrl: input.avatarUrl });
}

/** Only an author nobody refers to: articles (deleted ones too, they can be restored) or tokens. */
export function deleteAuthor(context: WriteContext, id: number): Promise<boolean> {
  return deleteNamed(context, AUTHOR, id, async (manager, author) => {
    const articles = await manager.count(Article, { where: { authorId: id }, withDeleted: true });
    if (articles > 0) return `author "${author.slug}" still has ${articles} article(s); move or remove them first`;
    const tokens = await manager.count(ApiToken, { where: { authorId: id } });
    if (tokens > 0) return `author "${author.slug}" is bound to ${tokens} API token(s)`;
    return null;
  });
}
