import {
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * How much of an article's body a read must fetch. The body is the one large column (several
 * kilobytes against a few hundred bytes for the rest of the row), and most pages never show it:
 * a home or tag page lists titles and excerpts.
 * - NONE: no field reads it.
 * - EXCERPT: `excerpt` falls back to the body only when the lead is empty, so the body is
 *   fetched for those rows alone.
 * - FULL: `body` or `paragraphs` is selected.
 */
export enum BodyNeed {
  NONE = 0,
  EXCERPT = 1,
  FULL = 2,
}

export type ArticleLoaderPart = "byKey" | "lists" | "related" | "search";

/** The loaders that produce articles, each told what its own part of the query selects. */
export interface ArticleSelection {
  /** `article(id|slug)` and anything else loading single articles by key. */
  byKey: BodyNeed;
  /** `articles`, `Author.articles`, `Tag.articles`. */
  lists: BodyNeed;
  /** `Article.related`. */
  related: BodyNeed;
  /** `search`: its hits' articles, and their `snippet`, which reads the lead and the body. */
  search: BodyNeed;
  /**
   * Parts whose articles show nothing beyond their card (CARD_FIELDS): their answers depend on
   * each article's card key, not its own, so an edit of a lead keeps a page of related links.
   */
  cardOnly: Readonly<Record<ArticleLoaderPart, boolean>>;
  /**
   * Whether any field of the operation, anywhere, reads an article's, author's or tag's columns
   * beyond what pages show (EXTRA_FIELDS): when none does, list statements leave those columns
   * out. Operation-wide, not per loader, because loaders share what they read: an author
   * primed from a list row is the one `author(slug:)` returns later in the same request.
   */
  extras: Readonly<Record<"article" | "author" | "tag", boolean>>;
  /**
   * Parts whose articles show their tags: their statements carry each article's tag chips
   * (rows.ts, `a_tags`), which prime the tag loader, so a page showing tags reads them in the
   * statement that finds its articles instead of a statement of their own.
   */
  tags: Readonly<Record<ArticleLoaderPart, boolean>>;
  /**
   * Whether some article list of the operation shows its `totalCount`: a tag page's statement
   * then counts the tag's articles as well (article-query.ts), instead of a statement of its own.
   */
  listTotals: boolean;
}

/** What a caller outside GraphQL (or an unanalysed request) gets: everything. */
export const FULL_SELECTION: Readonly<ArticleSelection> = Object.freeze({
  byKey: BodyNeed.FULL,
  lists: BodyNeed.FULL,
  related: BodyNeed.FULL,
  search: BodyNeed.FULL,
  cardOnly: Object.freeze({ byKey: false, lists: false, related: false, search: false }),
  extras: Object.freeze({ article: true, author: true, tag: true }),
  tags: Object.freeze({ byKey: false, lists: false, related: false, search: false }),
  listTotals: false,
});

/**
 * The fields that read columns list statements leave out unless selected (rows.ts): an
 * article's status, timestamps and word count; an author's bio, avatar and timestamps; a tag's
 * description and timestamps. A field whose resolver reads one of them without showing it
 * belongs here too.
 */
const EXTRA_FIELDS: Record<string, Set<string>> = {
  // `revisions` checks who may edit the article, which depends on its status.
  Article: new Set(["status", "createdAt", "updatedAt", "deletedAt", "wordCount", "readingTimeMinutes", "revisions"]),
  Author: new Set(["bio", "avatarUrl", "createdAt", "updatedAt"]),
  Tag: new Set(["description", "createdAt", "updatedAt"]),
};
const EXTRAS_OF: Record<string, "article" | "author" | "tag"> = { Article: "article", Author: "author", Tag: "tag" };

/**
 * The Article fields a card shows: what changes with them sends the card key (`articleChangeOf`
 * and the membership fields in src/events/content-events.ts). `author` and `tags` are entities
 * with keys of their own; which author and tags an article has is membership.
 */
const CARD_FIELDS = new Set(["__typename", "id", "slug", "title", "publishedAt", "publishedAtText", "featuredImage", "author", "tags"]);

const BODY_FIELDS: Record<string, BodyNeed> = { body: BodyNeed.FULL, paragraphs: BodyNeed.FULL, excerpt: BodyNeed.EXCERPT };

/** Which loader serves the articles below a field, by the field's parent type and name. */
function ownerOf(parent: string, field: string): ArticleLoaderPart | null {
  if (parent === "Query" && field === "article") return "byKey";
  if ((parent === "Query" || parent === "Author" || parent === "Tag") && field === "articles") return "lists";
  if (parent === "Article" && field === "related") return "related";
  if (parent === "SearchHit" && field === "article") return "search";
  return null;
}

const analysed = new WeakMap<DocumentNode, Map<string, ArticleSelection>>();

/**
 * Walks the operation once (fragments followed, typed by the schema) and records, per article
 * loader, the largest body need under it. Remembered per parsed document, which Apollo reuses
 * for a repeated query string, so a hot query is analysed once. Validation has already refused
 * fragment cycles and the depth limit bounds the walk.
 */
export function articleSelectionOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): ArticleSelection {
  const key = operation.name?.value ?? "";
  let byOperation = analysed.get(document);
  const known = byOperation?.get(key);
  if (known) return known;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const need: Record<ArticleLoaderPart, BodyNeed> = { byKey: BodyNeed.NONE, lists: BodyNeed.NONE, related: BodyNeed.NONE, search: BodyNeed.NONE };
  const cardOnly: Record<ArticleLoaderPart, boolean> = { byKey: true, lists: true, related: true, search: true };
  const extras = { article: false, author: false, tag: false };
  const tags: Record<ArticleLoaderPart, boolean> = { byKey: false, lists: false, related: false, search: false };
  let listTotals = false;

  const walk = (set: SelectionSetNode | undefined, type: GraphQLObjectType | null, owner: ArticleLoaderPart | null): void => {
    if (!set) return;
    for (const node of set.selections) {
      if (node.kind === Kind.FIELD) {
        const name = node.name.value;
        if (type && EXTRA_FIELDS[type.name]?.has(name)) extras[EXTRAS_OF[type.name]] = true;
        if (type?.name === "ArticleConnection" && name === "totalCount" && owner === "lists") listTotals = true;
        if (type?.name === "SearchHit" && name === "snippet") need.search = BodyNeed.FULL;
        if (type?.name === "Article" && owner) {
          if (BODY_FIELDS[name] !== undefined) need[owner] = Math.max(need[owner], BODY_FIELDS[name]);
          if (!CARD_FIELDS.has(name)) cardOnly[owner] = false;
          if (name === "tags") tags[owner] = true;
        }
        const fieldType = type?.getFields()[name]?.type;
        const named = fieldType ? getNamedType(fieldType) : null;
        walk(node.selectionSet, named && isObjectType(named) ? named : null, (type && ownerOf(type.name, name)) ?? owner);
      } else {
        const definition = node.kind === Kind.INLINE_FRAGMENT ? node : fragments.get(node.name.value);
        const condition = definition?.typeCondition ? schema.getType(definition.typeCondition.name.value) : type;
        walk(definition?.selectionSet, condition && isObjectType(condition) ? condition : null, owner);
      }
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation) ?? null, null);
  const selection: ArticleSelection = { ...need, cardOnly, extras, tags, listTotals };

  if (!byOperation) {
    byOperation = new Map();
    analysed.set(document, byOperation);
  }
  byOperation.set(key, selection);
  return selection;
}
