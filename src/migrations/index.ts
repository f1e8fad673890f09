import { InitialSchema1732700000000 } from "./1732700000000-initial-schema";
import { ArticleTagsLiveAt1732700000050 } from "./1732700000050-article-tags-live-at";
import { Editorial1732700000100 } from "./1732700000100-editorial";
import { ArticleSearch1732700000200 } from "./1732700000200-article-search";
import { TagArticleCount1732700000300 } from "./1732700000300-tag-article-count";
import { ArticleSearchPostgres1732700000400 } from "./1732700000400-article-search-postgres";

/** Every migration in order; listed explicitly so the compiled server needs no file globbing. */
export const migrations: Function[] = [
  InitialSchema1732700000000,
  ArticleTagsLiveAt1732700000050,
  Editorial1732700000100,
  ArticleSearch1732700000200,
  TagArticleCount1732700000300,
  ArticleSearchPostgres1732700000400,
];
