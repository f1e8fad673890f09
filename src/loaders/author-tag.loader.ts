import type { Author } from "../entities/author.entity";
import type { Tag } from "../entities/tag.entity";
import { ENTITY_LISTS, entityKey, KeyRecordingLoader, recordFound } from "../cache/cache-keys";
import { badInput } from "../errors";
import { limitSql } from "../db/dialect";
import { decodeCursor, encodeCursor } from "../pagination/cursor";
import type { Page } from "../pagination/page";
import type { ReadContext } from "./read-context";
import { FULL_SELECTION } from "./article-selection";
import { AUTHOR_COLUMNS, authorFromRow, TAG_CARD_COLUMNS, TAG_COLUMNS, tagFromRow, type Row } from "./rows";
import { articleVisibility, publicTagRowVisibility, tagVisibility } from "./visibility";

export enum AuthorOrder {
  NAME_ASC = "NAME_ASC",
  ARTICLE_COUNT_DESC = "ARTICLE_COUNT_DESC",
}

export enum TagOrder {
  NAME_ASC = "NAME_ASC",
  ARTICLE_COUNT_DESC = "ARTICLE_COUNT_DESC",
}

function byKey<K, V>(keys: readonly K[], items: V[], keyOf: (item: V) => K): (V | null)[] {
  const map = new Map(items.map((item) => [keyOf(item), item]));
  return keys.map((key) => map.get(key) ?? null);
}

interface Window {
  first: number;
  after?: string | null;
}

/**
 * Authors and tags are small tables next to articles, but their lists may be ordered by how
 * many visible articles each has, so the count is computed under the same visibility rule.
 */
const POINT_LOOKUP = { bounded: true } as const;

export function createAuthorTagLoaders(context: ReadContext) {
  const { db, viewer, now } = context;
  const keys = context.keys ?? null;

  const authorById = new KeyRecordingLoader<number, Author | null>(
    async (ids) => {
      const rows = await db.query(`SELECT ${AUTHOR_COLUMNS} FROM authors au WHERE au.id IN (:...ids)`, { ids }, POINT_LOOKUP);
      return byKey(ids, rows.map(authorFromRow), (a) => a.id);
    },
    { keys, onLoad: (id) => entityKey("author", id) },
  );
  const authorBySlug = new KeyRecordingLoader<string, Author | null>(
    async (slugs) => {
      const rows = await db.query(`SELECT ${AUTHOR_COLUMNS} FROM authors au WHERE au.slug IN (:...slugs)`, { slugs }, POINT_LOOKUP);
      const authors = rows.map(authorFromRow);
      for (const author of authors) authorById.prime(author.id, author);
      return byKey(slugs, authors, (a) => a.slug);
    },
    { keys, onResult: (set, author) => recordFound(set, "author", author) },
  );
  // A tag only the viewer's unreadable articles carry (a draft's new tag) does not exist for them.
  const tagVis = tagVisibility(db, viewer, now, "t");
  const visibleTag = tagVis ? ` AND ${tagVis.sql}` : "";
  // Editors see every tag and readers' tags are checked on the (tag_id, live_at) index; an
  // author's own drafts make the check a join whose length depends on the tag.
  const tagLookup = !tagVis || viewer.kind === "anonymous" ? POINT_LOOKUP : {};
  const tagById = new KeyRecordingLoader<number, Tag | null>(
    async (ids) => {
      const rows = await db.query(`SELECT ${TAG_COLUMNS} FROM tags t WHERE t.id IN (:...ids)${visibleTag}`, { ...tagVis?.params, ids }, tagLookup);
      return byKey(ids, rows.map(tagFromRow), (t) => t.id);
    },
    { keys, onLoad: (id) => entityKey("tag", id) },
  );
  const tagBySlug = new KeyRecordingLoader<string, Tag | null>(
    async (slugs) => {
      const rows = await db.query(`SELECT ${TAG_COLUMNS} FROM tags t WHERE t.slug IN (:...slugs)${visibleTag}`, { ...tagVis?.params, slugs }, tagLookup);
      const tags = rows.map(tagFromRow);
      for (const tag of tags) tagById.prime(tag.id, tag);
      return byKey(slugs, tags, (t) => t.slug);
    },
    { keys, onResult: (set, tag) => recordFound(set, "tag", tag) },
  );

  /** Tags of many articles in one statement, in the editor's order. */
  const tagsByArticle = new KeyRecordingLoader<number, Tag[]>(
    async (articleIds) => {
      const columns = (context.selection ?? FULL_SELECTION).extras.tag ? TAG_COLUMNS : TAG_CARD_COLUMNS;
      const rows = await db.query<Row>(`SELECT at.article_id AS article_id, ${columns} FROM article_tags at JOIN tags t ON t.id = at.tag_id
         WHERE at.article_id IN (:...articleIds) ORDER BY at.article_id, at.position, t.name`,
        { articleIds },
        POINT_LOOKUP,
      );
      const byArticle = new Map<number, Tag[]>();
      for (const row of rows) {
        const tag = tagFromRow(row);
        tagById.prime(tag.id, tag);
        const list = byArticle.get(Number(row.article_id)) ?? [];
        list.push(tag);
        byArticle.set(Number(row.article_id), list);
      }
      return articleIds.map((id) => byArticle.get(id) ?? []);
    },
    {
      keys,
      // Which tags an article carries is part of the article (`article:<id>`); their names are the tags'.
      onResult: (set, tags) => {
        for (const tag of tags) set.add(entityKey("tag", tag.id));
      },
    },
  );

  async function listWithCounts<T extends { id: number; name: string }>(
    kind: "author" | "tag",
    orderBy: AuthorOrder | TagOrder,
    window: Window,
  ): Promise<{ page: Page<T>; counts: Map<number, number> }> {
    const table = kind === "author" ? "authors" : "tags";
    const alias = kind === "author" ? "au" : "t";
    const columns = kind === "author" ? AUTHOR_COLUMNS : TAG_COLUMNS;
    const publicTagRows = kind === "tag" ? publicTagRowVisibility(db, viewer, now, "ct") : null;
    const vis = publicTagRows ?? articleVisibility(db, viewer, now, "a");
    const countSql =
      kind === "author"
        ? `(SELECT COUNT(*) FROM articles a WHERE a.author_id = au.id AND ${vis.sql})`
        : publicTagRows
          ? `(SELECT COUNT(*) FROM article_tags ct WHERE ct.tag_id = t.id AND ${vis.sql})`
          : `(SELECT COUNT(*) FROM article_tags ct JOIN articles a ON a.id = ct.article_id WHERE ct.tag_id = t.id AND ${vis.sql})`;
    const listed = kind === "tag" ? tagVis : null;
    const listedWhere = listed ? `WHERE ${listed.sql}` : "";
    const byCount = orderBy === AuthorOrder.ARTICLE_COUNT_DESC || orderBy === TagOrder.ARTICLE_COUNT_DESC;
    const params: Record<string, unknown> = { ...vis.params, ...listed?.params };
    const where: string[] = [];
    if (window.after) {
      const [value, id] = decodeCursor(window.after);
      if (byCount ? typeof value !== "number" : typeof value !== "string") throw badInput('"after" is not a cursor for this list', { after: "malformed cursor" });
      params.afterValue = value;
      params.afterId = id;
      where.push(
        byCount
          ? "(listed.article_count < :afterValue OR (listed.article_count = :afterValue AND listed.list_id > :afterId))"
          : "(listed.list_name > :afterValue OR (listed.list_name = :afterValue AND listed.list_id > :afterId))",
      );
    }
    const order = byCount ? "listed.article_count DESC, listed.list_id ASC" : "listed.list_name ASC, listed.list_id ASC";
    const sql = `SELECT * FROM (SELECT ${columns}, ${alias}.id AS list_id, ${alias}.name AS list_name, ${countSql} AS article_count FROM ${table} ${alias} ${listedWhere}) listed
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ${limitSql(window.first + 1)}`;
    const rows = await db.query(sql, params);
    const counts = new Map<number, number>(rows.map((r) => [Number(r.list_id), Number(r.article_count)]));
    const items = rows.slice(0, window.first).map((row) => (kind === "author" ? authorFromRow(row) : tagFromRow(row))) as unknown as T[];
    if (keys) {
      keys.add(ENTITY_LISTS[kind]);
      // The order by article count moves whenever an article enters or leaves any list.
      if (byCount) keys.add(ENTITY_LISTS.article);
      for (const item of items) keys.add(entityKey(kind, item.id));
    }
    let total: Promise<number> | undefined;
    return {
      counts,
      page: {
        items,
        cursorAt: (i) => encodeCursor([byCount ? counts.get(items[i].id)! : items[i].name, items[i].id]),
        hasNextPage: rows.length > window.first,
        hasPreviousPage: Boolean(window.after),
        totalCount: () =>
          (total ??= db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} ${alias} ${listedWhere}`, { ...listed?.params }).then(([r]) => Number(r.n))),
      },
    };
  }

  return { authorById, authorBySlug, tagById, tagBySlug, tagsByArticle, listWithCounts };
}
