import { Author } from "../entities/author.entity";
import { CreateAuthorInput, UpdateAuthorInput } from "../graphql/author-tag-input.types";
import { AuthorConnection } from "../graphql/author-tag.types";
import { AuthorOrder } from "../loaders/author-tag.loader";
import * as authors from "../services/author.service";
import { namedEntityResolver } from "./named-entity.resolver";

export const AuthorResolver = namedEntityResolver({
  one: "author",
  many: "authors",
  typeName: "Author",
  entity: Author,
  connection: AuthorConnection,
  order: AuthorOrder,
  defaultOrder: AuthorOrder.NAME_ASC,
  createInput: CreateAuthorInput,
  updateInput: UpdateAuthorInput,
  loaders: (l) => ({ byId: l.authorById, bySlug: l.authorBySlug, list: l.listAuthors, articles: l.articlesByAuthor, articleCount: l.articleCountByAuthor, bySlugWithPage: l.authorBySlugWithPage }),
  service: { create: authors.createAuthor, update: authors.updateAuthor, remove: authors.deleteAuthor },
  descriptions: {
    articles: "This author's articles that you may see, newest first.",
    articleCount: "How many of this author's articles you may see.",
    remove: "Only an author without articles (deleted ones count) or tokens; CONFLICT otherwise.",
  },
});
