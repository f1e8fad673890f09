/**
 * The three queries a news front end sends all day. The benchmark drives our server with
 * them and the floor server answers the same documents with byte-identical JSON.
 */
export const ARTICLE_PAGE = `query ArticlePage($slug: String!) {
  article(slug: $slug) {
    id slug title lead paragraphs publishedAt publishedAtText
    featuredImage { url caption }
    author { name slug }
    tags { slug name }
    related(first: 5) { reason article { slug title publishedAtText author { name } } }
  }
}`;

export const HOME_PAGE = `query HomePage {
  articles(first: 20) {
    nodes { slug title excerpt publishedAt author { name slug } tags { slug name } }
  }
}`;

export const TAG_PAGE = `query TagPage($slug: String!) {
  tag(slug: $slug) {
    slug name
    articles(first: 20) {
      totalCount
      nodes { slug title excerpt publishedAtText author { name } }
    }
  }
}`;

export type BenchQuery = "article" | "home" | "tag";

export const QUERIES: Record<BenchQuery, { document: string; operationName: string; needsSlug: boolean }> = {
  article: { document: ARTICLE_PAGE, operationName: "ArticlePage", needsSlug: true },
  home: { document: HOME_PAGE, operationName: "HomePage", needsSlug: false },
  tag: { document: TAG_PAGE, operationName: "TagPage", needsSlug: true },
};
