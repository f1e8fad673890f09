import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import { Article } from "../entities/article.entity";
import { ArticleRevision } from "../entities/article-revision.entity";
import { forbidden } from "../errors";
import { CreateArticleInput, UpdateArticleInput } from "../graphql/article-input.types";
import type { GraphQLContext } from "../graphql/context";
import { pageWindow } from "../graphql/paging";
import { parseEntityId } from "../graphql/ids";
import { mayEditArticle } from "../services/access";
import * as articles from "../services/article.service";

@Resolver(() => Article)
export class ArticleWriteResolver {
  @Mutation(() => Article, { description: "A new draft. CONTRIBUTOR and AUTHOR tokens may only write for their own author." })
  createArticle(@Ctx() context: GraphQLContext, @Arg("input", () => CreateArticleInput) input: CreateArticleInput): Promise<Article> {
    return articles.createArticle(context, input);
  }

  @Mutation(() => Article, { description: "Changes content; the previous version stays in revisions. Give expectedUpdatedAt to fail with CONFLICT instead of overwriting someone else's save." })
  updateArticle(
    @Ctx() context: GraphQLContext,
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateArticleInput) input: UpdateArticleInput,
  ): Promise<Article> {
    return articles.updateArticle(context, parseEntityId(id), input);
  }

  @Mutation(() => Article, { description: "Publishes now, or at `at` (a future instant schedules it; it appears then with no job running). AUTHOR (own) and EDITOR." })
  publishArticle(
    @Ctx() context: GraphQLContext,
    @Arg("id", () => ID) id: string,
    @Arg("at", () => Date, { nullable: true }) at?: Date | null,
  ): Promise<Article> {
    return articles.publishArticle(context, parseEntityId(id), at);
  }

  @Mutation(() => Article, { description: "Back to draft. AUTHOR (own) and EDITOR." })
  unpublishArticle(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<Article> {
    return articles.unpublishArticle(context, parseEntityId(id));
  }

  @Mutation(() => Article, { description: "Soft delete: hidden everywhere, restorable. Contributors may delete only their own drafts." })
  deleteArticle(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<Article> {
    return articles.deleteArticle(context, parseEntityId(id));
  }

  @Mutation(() => Article)
  restoreArticle(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<Article> {
    return articles.restoreArticle(context, parseEntityId(id));
  }

  @Mutation(() => Article, { description: `Editor picks for "Berita Lainnya", in order (at most ${articles.MAX_RELATED}); replaces earlier picks.` })
  setRelatedArticles(
    @Ctx() context: GraphQLContext,
    @Arg("id", () => ID) id: string,
    @Arg("relatedIds", () => [ID]) relatedIds: string[],
  ): Promise<Article> {
    return articles.setRelatedArticles(context, parseEntityId(id), relatedIds.map((relatedId) => parseEntityId(relatedId, "relatedIds")));
  }

  @FieldResolver(() => [ArticleRevision], {
    description: "Every saved version, newest first (the first is the current state). Only for tokens that may edit the article; FORBIDDEN otherwise, anonymous readers included.",
  })
  async revisions(
    @Root() article: Article,
    @Ctx() { viewer, loaders }: GraphQLContext,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
  ): Promise<ArticleRevision[]> {
    const window = pageWindow(first, null);
    if (!mayEditArticle(viewer, article)) throw forbidden("revisions are shown only to tokens that may edit this article");
    return (await loaders.revisionsByArticle.load(article.id)).slice(0, window.first);
  }
}

@Resolver(() => ArticleRevision)
export class ArticleRevisionResolver {
  @FieldResolver(() => [ID], { description: "Tag ids of this version, in order." })
  tagIds(@Root() revision: ArticleRevision): string[] {
    return (JSON.parse(revision.tagIdsJson) as number[]).map(String);
  }

  @FieldResolver(() => [ID], { description: "Editor-picked related article ids of this version, in order." })
  relatedIds(@Root() revision: ArticleRevision): string[] {
    return (JSON.parse(revision.relatedIdsJson) as number[]).map(String);
  }
}
