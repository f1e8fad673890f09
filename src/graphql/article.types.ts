import { IsOptional, IsString, Matches, ArrayMaxSize, MaxLength } from "class-validator";
import { Field, Float, InputType, ObjectType, registerEnumType } from "type-graphql";
import { Article, ArticleStatus } from "../entities/article.entity";
import { ArticleOrder, TagMatch } from "../loaders/article-query";
import { RelatedReason } from "../loaders/article.loader";
import { SLUG_PATTERN } from "../lib/slug";
import { connectionTypes } from "./connection";

registerEnumType(ArticleOrder, { name: "ArticleOrder", description: "Article list order; newest published first by default." });
registerEnumType(TagMatch, { name: "TagMatch", description: "Whether an article must carry ANY or ALL of the filter's tags." });
registerEnumType(RelatedReason, { name: "RelatedReason", description: "Why an article is listed as related." });

@InputType({ description: "Narrows an article list. All given conditions must hold." })
export class ArticleFilter {
  @Field(() => [String], { nullable: true, description: "Tag slugs; see tagMatch." })
  @IsOptional()
  @ArrayMaxSize(20)
  @Matches(SLUG_PATTERN, { each: true, message: "each tag slug must be lowercase letters, digits and dashes" })
  tagSlugs?: string[];

  @Field(() => TagMatch, { nullable: true, defaultValue: TagMatch.ANY })
  tagMatch?: TagMatch;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  authorSlug?: string;

  @Field(() => Date, { nullable: true, description: "Published at or after this instant." })
  publishedAfter?: Date;

  @Field(() => Date, { nullable: true, description: "Published before this instant." })
  publishedBefore?: Date;

  @Field(() => [ArticleStatus], {
    nullable: true,
    description: "For token holders previewing: which states to list. Anonymous readers only ever see PUBLISHED.",
  })
  statuses?: ArticleStatus[];
}

@ObjectType({ simpleResolvers: true, description: "An article listed as related to another, and why." })
export class RelatedArticle {
  @Field(() => Article)
  article: Article;

  @Field(() => Float, { description: "1 for editor picks; otherwise the weighted count of shared tags (rarer tags weigh more)." })
  score: number;

  @Field(() => RelatedReason)
  reason: RelatedReason;
}

export const { Edge: ArticleEdge, Connection: ArticleConnection } = connectionTypes("Article", Article);
export type ArticleConnection = InstanceType<typeof ArticleConnection>;
