import { Field, Float, ObjectType, registerEnumType } from "type-graphql";
import { Article } from "../entities/article.entity";
import { SearchOrder, type SearchHitData } from "../loaders/search.loader";
import { connectionTypes } from "./connection";

registerEnumType(SearchOrder, {
  name: "SearchOrder",
  description: "RELEVANCE: best match first (title counts most, then lead, then body), ties newest first. NEWEST: newest first.",
});

/**
 * Markup a client may ask for around matched words. A closed list rather than free strings:
 * the markers are the only unescaped text in a snippet, so a client must not choose arbitrary
 * HTML (responses are cached and shared between anonymous readers asking the same thing).
 */
export enum HighlightStyle {
  /** The server's configured markers (`SEARCH_HIGHLIGHT_OPEN`/`_CLOSE`, `<mark>` by default). */
  DEFAULT = "DEFAULT",
  MARK = "MARK",
  STRONG = "STRONG",
  EM = "EM",
  B = "B",
}
registerEnumType(HighlightStyle, { name: "HighlightStyle", description: "Markup around matched words in a search snippet." });

export const HIGHLIGHT_MARKERS: Record<Exclude<HighlightStyle, HighlightStyle.DEFAULT>, { open: string; close: string }> = {
  MARK: { open: "<mark>", close: "</mark>" },
  STRONG: { open: "<strong>", close: "</strong>" },
  EM: { open: "<em>", close: "</em>" },
  B: { open: "<b>", close: "</b>" },
};

@ObjectType({ simpleResolvers: true, description: "One search result: the article, how well it matched, and where." })
export class SearchHit implements SearchHitData {
  @Field(() => Article)
  article: Article;

  @Field(() => Float, { description: "Relevance; higher is better. Comparable only within one search." })
  score: number;

  terms: string[];
}

export const { Edge: SearchEdge, Connection: SearchConnection } = connectionTypes("Search", SearchHit);
export type SearchConnection = InstanceType<typeof SearchConnection>;
