import type DataLoader from "dataloader";
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root, type ClassType } from "type-graphql";
import { badInput } from "../errors";
import { ArticleConnection } from "../graphql/article.types";
import type { GraphQLContext } from "../graphql/context";
import { parseEntityId } from "../graphql/ids";
import { firstPageAsked, pageWindow } from "../graphql/paging";
import type { Loaders } from "../loaders";
import { ArticleOrder } from "../loaders/article-query";
import type { NestedListKey } from "../loaders/article.loader";
import type { Article } from "../entities/article.entity";
import type { Page } from "../pagination/page";
import type { WriteContext } from "../services/write-context";

/**
 * Authors and tags are both named, slugged owners of article lists: the same queries
 * (`author`/`tag`, `authors`/`tags`), the same nested `articles` and `articleCount`, the same
 * three mutations. Each gets its resolvers from here and keeps only what differs: names, the
 * loaders it reads, the service it writes through, its input types and descriptions.
 */
interface NamedEntity {
  id: number;
}

export interface NamedEntitySpec<E extends NamedEntity, Order, CreateInput extends object, UpdateInput extends object> {
  /** GraphQL names: `author`, `authors`, `createAuthor`… */
  one: string;
  many: string;
  typeName: string;
  entity: ClassType<E>;
  connection: ClassType<object> & (new (page: Page<E>) => object);
  order: object;
  defaultOrder: Order;
  createInput: ClassType<CreateInput>;
  updateInput: ClassType<UpdateInput>;
  loaders: (loaders: Loaders) => {
    byId: DataLoader<number, E | null>;
    bySlug: DataLoader<string, E | null>;
    list: (orderBy: Order, window: { first: number; after?: string | null }) => Promise<Page<E>>;
    articles: DataLoader<NestedListKey, Page<Article>, string>;
    articleCount: DataLoader<number, number>;
    /** The lookup by slug and the first page of its `articles` in one read. */
    bySlugWithPage: (slug: string, window: { first: number; orderBy: ArticleOrder }) => Promise<E | null>;
  };
  service: {
    create(context: WriteContext, input: CreateInput): Promise<E>;
    update(context: WriteContext, id: number, input: UpdateInput): Promise<E>;
    remove(context: WriteContext, id: number): Promise<boolean>;
  };
  descriptions: { articles: string; articleCount?: string; remove: string };
}

export function namedEntityResolver<E extends NamedEntity, Order, CreateInput extends object, UpdateInput extends object>(spec: NamedEntitySpec<E, Order, CreateInput, UpdateInput>) {
  const { entity: Entity, typeName } = spec;

  @Resolver(() => Entity)
  class NamedEntityResolver {
    @Query(() => Entity, { name: spec.one, nullable: true })
    one(
      @Ctx() { loaders }: GraphQLContext,
      @Info() info: GraphQLResolveInfo,
      @Arg("id", () => ID, { nullable: true }) id?: string,
      @Arg("slug", () => String, { nullable: true }) slug?: string,
    ): Promise<E | null> {
      if ((id == null) === (slug == null)) throw badInput('give exactly one of "id" or "slug"');
      const own = spec.loaders(loaders);
      if (id != null) return own.byId.load(parseEntityId(id));
      const page = firstPageAsked<ArticleOrder>(info, "articles");
      return page ? own.bySlugWithPage(slug!, page) : own.bySlug.load(slug!);
    }

    @Query(() => spec.connection, { name: spec.many })
    async many(
      @Ctx() { loaders }: GraphQLContext,
      @Arg("first", () => Int, { defaultValue: 20 }) first: number,
      @Arg("after", () => String, { nullable: true }) after?: string,
      @Arg("orderBy", () => spec.order, { defaultValue: spec.defaultOrder }) orderBy?: Order,
    ): Promise<object> {
      return new spec.connection(await spec.loaders(loaders).list(orderBy ?? spec.defaultOrder, pageWindow(first, after)));
    }

    @FieldResolver(() => ArticleConnection, { description: spec.descriptions.articles })
    async articles(
      @Root() owner: E,
      @Ctx() { loaders }: GraphQLContext,
      @Arg("first", () => Int, { defaultValue: 20 }) first: number,
      @Arg("after", () => String, { nullable: true }) after?: string,
      @Arg("orderBy", () => ArticleOrder, { defaultValue: ArticleOrder.PUBLISHED_AT_DESC }) orderBy?: ArticleOrder,
    ): Promise<ArticleConnection> {
      return new ArticleConnection(await spec.loaders(loaders).articles.load({ parentId: owner.id, ...pageWindow(first, after), orderBy }));
    }

    @FieldResolver(() => Int, { description: spec.descriptions.articleCount })
    articleCount(@Root() owner: E, @Ctx() { loaders }: GraphQLContext): Promise<number> {
      return spec.loaders(loaders).articleCount.load(owner.id);
    }

    @Mutation(() => Entity, { name: `create${typeName}`, description: "EDITOR and ADMIN." })
    create(@Ctx() context: GraphQLContext, @Arg("input", () => spec.createInput) input: CreateInput): Promise<E> {
      return spec.service.create(context, input);
    }

    @Mutation(() => Entity, { name: `update${typeName}`, description: "EDITOR and ADMIN." })
    update(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string, @Arg("input", () => spec.updateInput) input: UpdateInput): Promise<E> {
      return spec.service.update(context, parseEntityId(id), input);
    }

    @Mutation(() => Boolean, { name: `delete${typeName}`, description: spec.descriptions.remove })
    remove(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<boolean> {
      return spec.service.remove(context, parseEntityId(id));
    }
  }
  Object.defineProperty(NamedEntityResolver, "name", { value: `${typeName}Resolver` });
  return NamedEntityResolver;
}
