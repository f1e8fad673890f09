import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { badInput } from "../errors";
import { ArticleFilter } from "../graphql/article.types";
import type { GraphQLContext } from "../graphql/context";
import { pageWindow } from "../graphql/paging";
import { HIGHLIGHT_MARKERS, HighlightStyle, SearchConnection, SearchHit } from "../graphql/search.types";
import { SearchOrder } from "../loaders/search.loader";
import { buildSnippet } from "../search/snippet";

const SNIPPET_WORDS = { min: 5, max: 100 };

@Resolver(() => SearchHit)
export class SearchResolver {
  @Query(() => SearchConnection, {
    description:
      "Full-text search over title, lead and body of the articles you may read. Words are matched by their Indonesian stem " +
      '(senjata finds persenjataan); `senja*` matches a prefix, `"kim jong"` a phrase, `-word` excludes, `a OR b` either.',
  })
  async search(
    @Ctx() { loaders }: GraphQLContext,
    @Arg("query", () => String) query: string,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("filter", () => ArticleFilter, { nullable: true }) filter?: ArticleFilter,
    @Arg("orderBy", () => SearchOrder, { defaultValue: SearchOrder.RELEVANCE }) orderBy?: SearchOrder,
  ): Promise<SearchConnection> {
    const page = await loaders.search(query, filter, orderBy ?? SearchOrder.RELEVANCE, pageWindow(first, after));
    return new SearchConnection(page);
  }

  @FieldResolver(() => String, {
    description:
      "About `length` words of the lead and body around the densest cluster of matches, HTML-escaped, matched words wrapped " +
      "in the highlight markup; `…` marks a cut. When only the title matched, the start of the lead.",
  })
  snippet(
    @Root() hit: SearchHit,
    @Ctx() { config }: GraphQLContext,
    @Arg("length", () => Int, { defaultValue: 30, description: "Words." }) length: number,
    @Arg("highlight", () => HighlightStyle, { defaultValue: HighlightStyle.DEFAULT }) highlight: HighlightStyle,
  ): string {
    if (!Number.isInteger(length) || length < SNIPPET_WORDS.min || length > SNIPPET_WORDS.max) {
      throw badInput(`"length" must be between ${SNIPPET_WORDS.min} and ${SNIPPET_WORDS.max}`, { length: "out of range" });
    }
    const markers =
      highlight === HighlightStyle.DEFAULT ? { open: config.search.highlightOpen, close: config.search.highlightClose } : HIGHLIGHT_MARKERS[highlight];
    const text = hit.article.lead ? `${hit.article.lead}\n\n${hit.article.body}` : hit.article.body;
    return buildSnippet(text, hit.terms, { ...markers, maxWords: length });
  }
}
