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

/**
 * The same pages asked of PostGraphile 4 (the peer), in its derived schema: the same articles,
 * authors and tags, `first: 20`. PostGraphile has no excerpt, paragraphs, formatted dates or
 * shared-tag ranking, so it is asked for the raw fields those come from (lead, body,
 * publishedAt, timeZone) and for the editor's picks only; it exposes no lookup by a unique
 * index, so pages find their article or tag with `condition: { slug }, first: 1`; and it applies no visibility rule
 * beyond the conditions written here (status, deletedAt): it does strictly less work.
 */
export const PEER_QUERIES: Record<BenchQuery, { document: string; operationName: string; needsSlug: boolean }> = {
  article: {
    operationName: "ArticlePage",
    needsSlug: true,
    document: `query ArticlePage($slug: String!) {
  allArticles(condition: { slug: $slug, status: "published", deletedAt: null }, first: 1) { nodes {
    id slug title lead body publishedAt timeZone featuredImageUrl featuredImageCaption
    authorByAuthorId { name slug }
    articleTagsByArticleId(orderBy: POSITION_ASC) { nodes { tagByTagId { slug name } } }
    articleRelatedsByArticleId(orderBy: POSITION_ASC, first: 5) { nodes { articleByRelatedId { slug title publishedAt timeZone authorByAuthorId { name } } } }
  } }
}`,
  },
  home: {
    operationName: "HomePage",
    needsSlug: false,
    document: `query HomePage {
  allArticles(first: 20, orderBy: [PUBLISHED_AT_DESC, ID_DESC], condition: { status: "published", deletedAt: null }) {
    nodes { slug title lead publishedAt authorByAuthorId { name slug } articleTagsByArticleId(orderBy: POSITION_ASC) { nodes { tagByTagId { slug name } } } }
  }
}`,
  },
  tag: {
    operationName: "TagPage",
    needsSlug: true,
    document: `query TagPage($slug: String!) {
  allTags(condition: { slug: $slug }, first: 1) { nodes {
    slug name
    articleTagsByTagId(first: 20, orderBy: [LIVE_AT_DESC, ARTICLE_ID_DESC]) {
      totalCount
      nodes { articleByArticleId { slug title lead publishedAt timeZone authorByAuthorId { name } } }
    }
  } }
}`,
  },
};
