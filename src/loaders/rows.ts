import { Article, type StoredArticleStatus } from "../entities/article.entity";
import { Author } from "../entities/author.entity";
import { Tag } from "../entities/tag.entity";
import { jsonArrayAggSql, toDate, type Dialect } from "../db/dialect";
import { BodyNeed, FULL_SELECTION, type ArticleLoaderPart, type ArticleSelection } from "./article-selection";

/**
 * Hot read paths select raw rows and build the GraphQL objects here instead of letting
 * TypeORM hydrate entities: it is several times cheaper per row, and the article query
 * carries its author's columns so one statement fills both loaders.
 */
const BODY_COLUMN: Record<BodyNeed, string> = {
  [BodyNeed.NONE]: "NULL AS a_body",
  [BodyNeed.EXCERPT]: "CASE WHEN a.lead = '' THEN a.body END AS a_body",
  [BodyNeed.FULL]: "a.body AS a_body",
};

/**
 * The columns of the articles one loader part reads: the card, the body as far as the part's
 * fields need it, the extras when some field reads them, and the tag chips (`a_tags`) when the
 * part's articles show their tags and the statement says in which engine's JSON to write them
 * (`chipsIn`). A statement that projects rows it then drops (a window over each parent's whole
 * list) leaves `chipsIn` out: it would read the tags of every row; the tag loader reads them.
 */
export function articleColumns(selection: ArticleSelection | undefined, part: ArticleLoaderPart, chipsIn?: Dialect, options: { padChips?: boolean } = {}): string {
  const { [part]: body, extras } = selection ?? FULL_SELECTION;
  // A statement uniting two parts' rows needs the same columns in each: `padChips` gives the
  // part without chips a NULL in their place, which its reader must drop (withoutChips).
  const chips = chipsIn && carriesChips(selection, part) ? `, ${TAG_CHIPS_COLUMN[chipsIn]}` : options.padChips && chipsIn ? `, ${NO_TAG_CHIPS[chipsIn]}` : "";
  return `${BODY_COLUMN[body]}, ${ARTICLE_CARD_COLUMNS}${extras.article ? `, ${ARTICLE_EXTRA_COLUMNS}` : ""}${extras.author ? `, ${AUTHOR_EXTRA_COLUMNS}` : ""}${chips}`;
}

/** Whether a part's statement carries tag chips when told the engine (articleColumns). */
export function carriesChips(selection: ArticleSelection | undefined, part: ArticleLoaderPart): boolean {
  const { extras, tags } = selection ?? FULL_SELECTION;
  // A field reading a tag's description or dates wants whole tags: the tag loader reads those.
  return tags[part] && !extras.tag;
}

/** A padded row (articleColumns' `padChips`) as its own part's statement would have returned it. */
export function withoutChips(row: Row): Row {
  row.a_tags = undefined;
  return row;
}

/** The article's tags in the editor's order, as tagsByArticle reads them (TAG_CARD_COLUMNS). */
const tagChipsColumn = (dialect: Dialect): string =>
  `(SELECT ${jsonArrayAggSql({ dialect }, ["t.id", "t.slug", "t.name"], "at.position, t.name")}
    FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id) AS a_tags`;
/** Written once per engine: statements are built on every request. */
const TAG_CHIPS_COLUMN: Record<Dialect, string> = { sqlite: tagChipsColumn("sqlite"), postgres: tagChipsColumn("postgres") };
/** Chips' place in a part that has none, of their type (PostgreSQL will not unite json with text). */
const NO_TAG_CHIPS: Record<Dialect, string> = { sqlite: "NULL AS a_tags", postgres: "CAST(NULL AS json) AS a_tags" };

const ARTICLE_CARD_COLUMNS = `a.id AS a_id, a.slug AS a_slug, a.title AS a_title, a.lead AS a_lead,
  a.featured_image_url AS a_featured_image_url, a.featured_image_caption AS a_featured_image_caption,
  a.published_at AS a_published_at, a.time_zone AS a_time_zone, a.author_id AS a_author_id,
  au.slug AS au_slug, au.name AS au_name`;

const ARTICLE_EXTRA_COLUMNS = `a.status AS a_status, a.word_count AS a_word_count,
  a.created_at AS a_created_at, a.updated_at AS a_updated_at, a.deleted_at AS a_deleted_at`;

export const AUTHOR_EXTRA_COLUMNS = `au.bio AS au_bio, au.avatar_url AS au_avatar_url, au.created_at AS au_created_at, au.updated_at AS au_updated_at`;

export const ARTICLE_FROM = `articles a JOIN authors au ON au.id = a.author_id`;

/** A row as the driver returns it: column name to value, unchecked. */
export type Row = Record<string, unknown>;

/**
 * What the drivers return for a timestamp column: TypeORM's UTC text on SQLite, a Date on
 * PostgreSQL (see toDate).
 */
export type SqlTimestamp = string | Date | null;

/**
 * The columns articleColumns selects, as the drivers return them. Ids are numbers on both drivers
 * today but go through Number() so a bigint column (text from pg) would still read right.
 * `a_body` is null when the query left the body out (articleColumns); such an article never
 * reaches a resolver that reads it, so it keeps the entity's `string` type.
 */
type ArticleRow = {
  a_id: number | string;
  a_slug: string;
  a_title: string;
  a_lead: string;
  a_body: string;
  a_featured_image_url: string | null;
  a_featured_image_caption: string | null;
  a_status?: StoredArticleStatus;
  a_published_at: SqlTimestamp;
  a_time_zone: string;
  a_author_id: number | string;
  a_word_count?: number | string;
  a_created_at?: SqlTimestamp;
  a_updated_at?: SqlTimestamp;
  a_deleted_at?: SqlTimestamp;
};

/** The author columns an article row carries (articleColumns) and AUTHOR_COLUMNS selects. */
type ArticleAuthorRow = {
  a_author_id: number | string;
  au_slug: string;
  au_name: string;
  au_bio?: string | null;
  au_avatar_url?: string | null;
  au_created_at?: SqlTimestamp;
  au_updated_at?: SqlTimestamp;
};

type AuthorRow = Omit<ArticleAuthorRow, "a_author_id"> & { au_id: number | string };

type TagRow = {
  t_id: number | string;
  t_slug: string;
  t_name: string;
  t_description?: string | null;
  t_created_at?: SqlTimestamp;
  t_updated_at?: SqlTimestamp;
};

// The mappers take the driver's untyped row and read it as the shape the SQL above selects:
// the column lists and these types sit side by side in this module, which is the one place
// that can keep them in step.
export function articleFromRow(raw: Row): Article {
  const row = raw as ArticleRow;
  const article = new Article();
  article.id = Number(row.a_id);
  article.slug = row.a_slug;
  article.title = row.a_title;
  article.lead = row.a_lead;
  article.body = row.a_body;
  article.featuredImageUrl = row.a_featured_image_url ?? null;
  article.featuredImageCaption = row.a_featured_image_caption ?? null;
  article.publishedAt = toDate(row.a_published_at);
  article.timeZone = row.a_time_zone;
  article.authorId = Number(row.a_author_id);
  // Left out of the statement (articleColumns) when no field reads them.
  if (row.a_status !== undefined) {
    article.status = row.a_status;
    article.wordCount = Number(row.a_word_count);
    article.createdAt = toDate(row.a_created_at)!;
    article.updatedAt = toDate(row.a_updated_at)!;
    article.deletedAt = toDate(row.a_deleted_at);
  }
  return article;
}

export function authorFromArticleRow(raw: Row): Author {
  return authorFrom(raw as ArticleAuthorRow, (raw as ArticleAuthorRow).a_author_id);
}

function authorFrom(row: Omit<ArticleAuthorRow, "a_author_id">, id: number | string): Author {
  const author = new Author();
  author.id = Number(id);
  author.slug = row.au_slug;
  author.name = row.au_name;
  // Left out of an article statement (articleColumns) when no field reads them.
  if (row.au_created_at !== undefined) {
    author.bio = row.au_bio ?? null;
    author.avatarUrl = row.au_avatar_url ?? null;
    author.createdAt = toDate(row.au_created_at)!;
    author.updatedAt = toDate(row.au_updated_at)!;
  }
  return author;
}

export const AUTHOR_COLUMNS = `au.id AS au_id, au.slug AS au_slug, au.name AS au_name, au.bio AS au_bio,
  au.avatar_url AS au_avatar_url, au.created_at AS au_created_at, au.updated_at AS au_updated_at`;

export function authorFromRow(raw: Row): Author {
  const row = raw as AuthorRow;
  return authorFrom(row, row.au_id);
}

/** A whole tag (tagFromRow) from the tags table under `alias`. */
export const tagColumnsOf = (alias: string) => `${alias}.id AS t_id, ${alias}.slug AS t_slug, ${alias}.name AS t_name, ${alias}.description AS t_description,
  ${alias}.created_at AS t_created_at, ${alias}.updated_at AS t_updated_at`;

export const TAG_COLUMNS = tagColumnsOf("t");

/** What a tag chip shows; the tags of many articles are read with these unless a field wants more. */
export const TAG_CARD_COLUMNS = `t.id AS t_id, t.slug AS t_slug, t.name AS t_name`;

/** The tag chips an article row carries when its statement asked for them (articleColumns), else undefined. */
export function tagChipsFromRow(raw: Row): Tag[] | undefined {
  const value = raw.a_tags;
  if (value === undefined) return undefined;
  const chips = (typeof value === "string" ? JSON.parse(value) : (value ?? [])) as [number | string, string, string][];
  return chips.map(([id, slug, name]) => tagCard(id, slug, name));
}

function tagCard(id: number | string, slug: string, name: string): Tag {
  const tag = new Tag();
  tag.id = Number(id);
  tag.slug = slug;
  tag.name = name;
  return tag;
}

export function tagFromRow(raw: Row): Tag {
  const row = raw as TagRow;
  const tag = tagCard(row.t_id, row.t_slug, row.t_name);
  // Left out (TAG_CARD_COLUMNS) when no field reads them.
  if (row.t_created_at !== undefined) {
    tag.description = row.t_description ?? null;
    tag.createdAt = toDate(row.t_created_at)!;
    tag.updatedAt = toDate(row.t_updated_at)!;
  }
  return tag;
}
