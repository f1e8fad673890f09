import type { MigrationInterface } from "typeorm";
import { InitialSchema1732700000000 } from "./1732700000000-initial-schema";
import { ArticleTagsLiveAt1732700000050 } from "./1732700000050-article-tags-live-at";
import { Editorial1732700000100 } from "./1732700000100-editorial";
import { ArticleSearch1732700000200 } from "./1732700000200-article-search";
import { TagArticleCount1732700000300 } from "./1732700000300-tag-article-count";
import { TagLiveCount1732700000400 } from "./1732700000400-tag-live-count";
import { PendingRelatedLinks1732700000410 } from "./1732700000410-pending-related-links";
import { ArticleSearchPostgres1732700000420 } from "./1732700000420-article-search-postgres";
import { ArticleLiveIndex1732700000450 } from "./1732700000450-article-live-index";
import { Webhooks1732700000600 } from "./1732700000600-webhooks";
import { ContentChanges1732700000610 } from "./1732700000610-content-changes";
import { ArticleSearchLiveAt1732700000620 } from "./1732700000620-article-search-live-at";

/** Every migration in order; listed explicitly so the compiled server needs no file globbing. */
export const migrations: (new () => MigrationInterface)[] = [
  InitialSchema1732700000000,
  ArticleTagsLiveAt1732700000050,
  Editorial1732700000100,
  ArticleSearch1732700000200,
  TagArticleCount1732700000300,
  TagLiveCount1732700000400,
  PendingRelatedLinks1732700000410,
  ArticleSearchPostgres1732700000420,
  ArticleLiveIndex1732700000450,
  Webhooks1732700000600,
  ContentChanges1732700000610,
  ArticleSearchLiveAt1732700000620,
];
