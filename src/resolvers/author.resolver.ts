import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { Author } from "../entities/author.entity";
import { badInput } from "../errors";
import { parseEntityId } from "../graphql/ids";
import { ArticleConnection } from "../graphql/article.types";
import { AuthorConnection } from "../graphql/author-tag.types";
import type { GraphQLContext } from "../graphql/context";
import { pageWindow } from "../graphql/paging";
import { ArticleOrder } from "../loaders/article-query";
import { AuthorOrder } from "../loaders/author-tag.loader";

@Resolver(() => Author)
export class AuthorResolver {
  @Query(() => Author, { nullable: true })
  author(
    @Ctx() { loaders }: GraphQLContext,
    @Arg("id", () => ID, { nullable: true }) id?: string,
    @Arg("slug", () => String, { nullable: true }) slug?: string,
  ): Promise<Author | null> {
    if ((id == null) === (slug == null)) throw badInput('give exactly one of "id" or "slug"');
    return id != null ? loaders.authorById.load(parseEntityId(id)) : loaders.authorBySlug.load(slug!);
  }

  @Query(() => AuthorConnection)
  async authors(
    @Ctx() { loaders }: GraphQLContext,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("orderBy", () => AuthorOrder, { defaultValue: AuthorOrder.NAME_ASC }) orderBy?: AuthorOrder,
  ): Promise<AuthorConnection> {
    return new AuthorConnection(await loaders.listAuthors(orderBy ?? AuthorOrder.NAME_ASC, pageWindow(first, after)));
  }

  @FieldResolver(() => ArticleConnection, { description: "This author's articles that you may see, newest first." })
  async articles(
    @Root() author: Author,
    @Ctx() { loaders }: GraphQLContext,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("orderBy", () => ArticleOrder, { defaultValue: ArticleOrder.PUBLISHED_AT_DESC }) orderBy?: ArticleOrder,
  ): Promise<ArticleConnection> {
    const window = pageWindow(first, after);
    return new ArticleConnection(await loaders.articlesByAuthor.load({ parentId: author.id, ...window, orderBy }));
  }

  @FieldResolver(() => Int, { description: "How many of this author's articles you may see." })
  articleCount(@Root() author: Author, @Ctx() { loaders }: GraphQLContext): Promise<number> {
    return loaders.articleCountByAuthor.load(author.id);
  }
}
