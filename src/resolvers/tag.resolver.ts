import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { Tag } from "../entities/tag.entity";
import { badInput } from "../errors";
import { ArticleConnection } from "../graphql/article.types";
import { TagConnection } from "../graphql/author-tag.types";
import type { GraphQLContext } from "../graphql/context";
import { pageWindow } from "../graphql/paging";
import { ArticleOrder } from "../loaders/article-query";
import { TagOrder } from "../loaders/author-tag.loader";
import { parseEntityId } from "../graphql/ids";

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => Tag, { nullable: true })
  tag(
    @Ctx() { loaders }: GraphQLContext,
    @Arg("id", () => ID, { nullable: true }) id?: string,
    @Arg("slug", () => String, { nullable: true }) slug?: string,
  ): Promise<Tag | null> {
    if ((id == null) === (slug == null)) throw badInput('give exactly one of "id" or "slug"');
    return id != null ? loaders.tagById.load(parseEntityId(id)) : loaders.tagBySlug.load(slug!);
  }

  @Query(() => TagConnection)
  async tags(
    @Ctx() { loaders }: GraphQLContext,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("orderBy", () => TagOrder, { defaultValue: TagOrder.NAME_ASC }) orderBy?: TagOrder,
  ): Promise<TagConnection> {
    return new TagConnection(await loaders.listTags(orderBy ?? TagOrder.NAME_ASC, pageWindow(first, after)));
  }

  @FieldResolver(() => ArticleConnection, { description: "Articles carrying this tag that you may see, newest first." })
  async articles(
    @Root() tag: Tag,
    @Ctx() { loaders }: GraphQLContext,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("orderBy", () => ArticleOrder, { defaultValue: ArticleOrder.PUBLISHED_AT_DESC }) orderBy?: ArticleOrder,
  ): Promise<ArticleConnection> {
    const window = pageWindow(first, after);
    return new ArticleConnection(await loaders.articlesByTag.load({ parentId: tag.id, ...window, orderBy }));
  }

  @FieldResolver(() => Int)
  articleCount(@Root() tag: Tag, @Ctx() { loaders }: GraphQLContext): Promise<number> {
    return loaders.articleCountByTag.load(tag.id);
  }
}
