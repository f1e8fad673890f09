import type { Author } from "../entities/author.entity";
import type { Tag } from "../entities/tag.entity";
import type { Page } from "../pagination/page";
import { createArticleLoaders } from "./article.loader";
import { AuthorOrder, createAuthorTagLoaders, TagOrder } from "./author-tag.loader";
import type { ReadContext } from "./read-context";
import { createRevisionLoader } from "./revision.loader";
import { createSearchLoaders } from "./search.loader";
import { createWebhookReads } from "./webhook.loader";

interface Window {
  first: number;
  after?: string | null;
}

/**
 * One set per request, never shared: a DataLoader caches what it has read, and what one
 * viewer may read (drafts, previews) is not what another may.
 */
export function createLoaders(context: ReadContext) {
  const { listWithCounts, ...authorTag } = createAuthorTagLoaders(context);
  const articles = createArticleLoaders(context, authorTag);
  const search = createSearchLoaders(context, authorTag);

  // A list ordered by article count has already counted: prime the count loaders with it.
  async function listAuthors(orderBy: AuthorOrder, window: Window): Promise<Page<Author>> {
    const { page, counts } = await listWithCounts<Author>("author", orderBy, window);
    for (const [id, n] of counts) articles.articleCountByAuthor.prime(id, n);
    return page;
  }
  async function listTags(orderBy: TagOrder, window: Window): Promise<Page<Tag>> {
    const { page, counts } = await listWithCounts<Tag>("tag", orderBy, window);
    for (const [id, n] of counts) articles.articleCountByTag.prime(id, n);
    return page;
  }

  const own = { listAuthors, listTags, revisionsByArticle: createRevisionLoader(context) };
  // Not one object spread: on Node 20 spreading these groups into one literal took ~30 µs a
  // request (V8 rebuilt the merged object's shape every time), five per cent of a home page.
  // (Two calls: past three sources TypeScript types Object.assign as any.)
  return Object.assign(Object.assign({}, authorTag, articles, search), own, createWebhookReads(context));
}

export type Loaders = ReturnType<typeof createLoaders>;
