import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from "type-graphql";
import { Article, ArticleStatus, FeaturedImage } from "../entities/article.entity";
import { Author } from "../entities/author.entity";
import { Tag } from "../entities/tag.entity";
import { badInput } from "../errors";
import type { GraphQLContext } from "../graphql/context";
import { ArticleConnection, ArticleFilter, RelatedArticle } from "../graphql/article.types";
import { parseEntityId } from "../graphql/ids";
import { firstPageAsked, pageWindow } from "../graphql/paging";
import { ArticleOrder } from "../loaders/article-query";
import { formatArticleDate, isValidTimeZone } from "../lib/indonesian-date";
import { paragraphsOf, excerptOf, readingTimeMinutes } from "../lib/text";

@Resolver(() => Article)
export class ArticleResolver {
  @Query(() => Article, { nullable: true, description: "One article by id or slug; null when it does not exist or is not visible to you." })
  async article(
    @Ctx() { loaders }: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
    @Arg("id", () => ID, { nullable: true }) id?: string,
    @Arg("slug", () => String, { nullable: true }) slug?: string,
  ): Promise<Article | null> {
    if ((id == null) === (slug == null)) throw badInput('give exactly one of "id" or "slug"');
    const key: { id: number } | { slug: string } = id != null ? { id: parseEntityId(id) } : { slug: slug! };
    // An article page shows its related links: read them with the article, in one round trip.
    const related = firstPageAsked(info, "related");
    if (related) return loaders.articleWithRelated(key, related.first);
    return "id" in key ? loaders.articleById.load(key.id) : loaders.articleBySlug.load(key.slug);
  }

  @Query(() => ArticleConnection, { description: "Published articles, newest first unless ordered otherwise." })
  async articles(
    @Ctx() { loaders }: GraphQLContext,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("filter", () => ArticleFilter, { nullable: true }) filter?: ArticleFilter,
    @Arg("orderBy", () => ArticleOrder, { defaultValue: ArticleOrder.PUBLISHED_AT_DESC }) orderBy?: ArticleOrder,
  ): Promise<ArticleConnection> {
    return new ArticleConnection(await loaders.listArticles(filter, orderBy, pageWindow(first, after)));
  }

  @FieldResolver(() => Author)
  async author(@Root() article: Article, @Ctx() { loaders }: GraphQLContext): Promise<Author> {
    return (await loaders.authorById.load(article.authorId))!;
  }

  @FieldResolver(() => [Tag])
  tags(@Root() article: Article, @Ctx() { loaders }: GraphQLContext): Promise<Tag[]> {
    return loaders.tagsByArticle.load(article.id);
  }

  @FieldResolver(() => [RelatedArticle], {
    description: "Editor picks first (in their order), then articles sharing the most tags, newer first.",
  })
  related(
    @Root() article: Article,
    @Ctx() { loaders }: GraphQLContext,
    @Arg("first", () => Int, { defaultValue: 5 }) first: number,
  ): Promise<RelatedArticle[]> {
    const window = pageWindow(first, null);
    return loaders.relatedByArticle.load({ articleId: article.id, first: window.first });
  }

  @FieldResolver(() => ArticleStatus)
  status(@Root() article: Article, @Ctx() { now }: GraphQLContext): ArticleStatus {
    if (article.deletedAt) return ArticleStatus.DELETED;
    if (article.status !== "published" || !article.publishedAt) return ArticleStatus.DRAFT;
    return article.publishedAt > now ? ArticleStatus.SCHEDULED : ArticleStatus.PUBLISHED;
  }

  @FieldResolver(() => [String], { description: "The body split into paragraphs." })
  paragraphs(@Root() article: Article): string[] {
    return paragraphsOf(article.body);
  }

  @FieldResolver(() => String, { description: "The lead (or the body's start) cut at a word boundary." })
  excerpt(@Root() article: Article, @Arg("length", () => Int, { defaultValue: 160 }) length: number): string {
    if (length < 20 || length > 1000) throw badInput('"length" must be between 20 and 1000', { length: "must be between 20 and 1000" });
    return excerptOf(article.lead || article.body, length);
  }

  @FieldResolver(() => Int, { description: "At about 200 words a minute, at least 1." })
  readingTimeMinutes(@Root() article: Article): number {
    return readingTimeMinutes(article.wordCount);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The byline date as the newsroom prints it, e.g. `Rabu, 13 Sep 2023 19:59 WIB`: in the article's own zone unless `timeZone` asks for another.",
  })
  publishedAtText(
    @Root() article: Article,
    @Arg("locale", () => String, { defaultValue: "id" }) locale: string,
    @Arg("timeZone", () => String, { nullable: true, description: "IANA zone, e.g. Asia/Makassar." }) timeZone?: string,
  ): string | null {
    if (!article.publishedAt) return null;
    const zone = timeZone ?? article.timeZone ?? "Asia/Jakarta";
    if (!isValidTimeZone(zone)) throw badInput(`"${zone}" is not an IANA time zone`, { timeZone: "unknown time zone" });
    try {
      return formatArticleDate(article.publishedAt, { locale, timeZone: zone });
    } catch (error) {
      if (error instanceof RangeError) throw badInput(`locale "${locale}" is not supported; use "id" or "en"`, { locale: "unsupported" });
      throw error;
    }
  }

  @FieldResolver(() => FeaturedImage, { nullable: true })
  featuredImage(@Root() article: Article): FeaturedImage | null {
    if (!article.featuredImageUrl) return null;
    return { url: article.featuredImageUrl, caption: article.featuredImageCaption };
  }
}
