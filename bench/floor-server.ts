/**
 * The floor: the least a server can do to answer the benchmark's three queries from the same
 * database: node:http, prepared statements (better-sqlite3 on a SQLite file, a pg pool on
 * PostgreSQL), the same statements our loaders run, and hand-built JSON byte-identical to our
 * GraphQL responses. Whatever our server costs above this is the price of the layers (HTTP
 * framework, GraphQL, loaders).
 *
 *   node dist/bench/floor-server.js <sqlite file | postgres://url> <port>
 */
import http from "node:http";
import type Database from "better-sqlite3";
import { betterSqlite3 } from "../src/db/better-sqlite3";
import { Pool } from "pg";
import { jsonArrayAggSql, toDate } from "../src/db/dialect";
import { CONNECTION_OPTIONS } from "../src/db/read-pool.postgres";
import { formatArticleDate } from "../src/lib/indonesian-date";
import { excerptOf, paragraphsOf } from "../src/lib/text";

type Row = Record<string, any>;
type Params = Record<string, unknown>;

/** One statement, written once with `:name` parameters, run on either engine. */
interface Store {
  postgres: boolean;
  all(name: string, sql: string, params: Params): Promise<Row[]>;
}

function sqliteStore(file: string): Store {
  const db = new (betterSqlite3())(file, { readonly: true });
  db.pragma("journal_mode = WAL");
  const statements = new Map<string, Database.Statement>();
  return {
    postgres: false,
    async all(name, sql, params) {
      let statement = statements.get(name);
      if (!statement) {
        statement = db.prepare(sql.replace(/:(\w+)/g, "@$1"));
        statements.set(name, statement);
      }
      return statement.all(params) as Row[];
    },
  };
}

function postgresStore(url: string): Store {
  const pool = new Pool({ connectionString: url, max: 10, options: CONNECTION_OPTIONS });
  const compiled = new Map<string, { text: string; names: string[] }>();
  return {
    postgres: true,
    async all(name, sql, params) {
      let statement = compiled.get(name);
      if (!statement) {
        const names: string[] = [];
        const text = sql.replace(/:(\w+)/g, (_, key: string) => {
          const at = names.indexOf(key);
          if (at >= 0) return `$${at + 1}`;
          names.push(key);
          return `$${names.length}`;
        });
        statement = { text, names };
        compiled.set(name, statement);
      }
      const result = await pool.query({ name, text: statement.text, values: statement.names.map((key) => params[key]) });
      return result.rows;
    },
  };
}

const [target, portArg] = process.argv.slice(2);
const store = /^postgres(ql)?:\/\//.test(target) ? postgresStore(target) : sqliteStore(target);
const nowParam = () => (store.postgres ? new Date() : new Date().toISOString().replace("T", " ").replace("Z", ""));

const LIVE = `a.status = 'published' AND a.published_at <= :now AND a.deleted_at IS NULL`;
// Like our loaders, each statement reads the body only as far as its page shows it: the article
// page's paragraphs need it, an excerpt only when the lead is empty, a related link not at all.
const columns = (body: "full" | "excerpt" | "none") =>
  `${body === "full" ? "a.body" : body === "excerpt" ? "CASE WHEN a.lead = '' THEN a.body END AS body" : "NULL AS body"},
  a.id, a.slug, a.title, a.lead, a.featured_image_url, a.featured_image_caption, a.published_at, a.time_zone,
  au.name AS author_name, au.slug AS author_slug`;
// The pages that show tags read them with their articles, in one column of the article's row.
const TAG_CHIPS = `(SELECT ${jsonArrayAggSql({ dialect: store.postgres ? "postgres" : "sqlite" }, ["t.id", "t.slug", "t.name"], "at.position, t.name")}
  FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id) AS tags`;
const tagsOf = (row: Row): { slug: string; name: string }[] =>
  ((typeof row.tags === "string" ? JSON.parse(row.tags) : (row.tags ?? [])) as [number, string, string][]).map(([, slug, name]) => ({ slug, name }));
// As the related loader for one source: each pooled row carries its tag's weight.
const POOL = store.postgres
  ? `tag_pool AS (SELECT st.weight, y.article_id, y.live_at FROM tag_weights st
     CROSS JOIN LATERAL (SELECT z.article_id, z.live_at FROM article_tags z WHERE z.tag_id = st.tag_id AND z.live_at <= :now ORDER BY z.live_at DESC, z.article_id DESC LIMIT 200) y)`
  : `tag_pool AS MATERIALIZED (SELECT st.weight, y.article_id, y.live_at FROM tag_weights st CROSS JOIN article_tags y
     WHERE y.rowid IN (SELECT z.rowid FROM article_tags z WHERE z.tag_id = st.tag_id AND z.live_at <= :now ORDER BY z.live_at DESC, z.article_id DESC LIMIT 200))`;

// As the related loader: PostgreSQL reads the source's picks once and strikes them out of the best
// candidates, SQLite probes its primary key for each pooled row.
const PICKS_ONCE = store.postgres;

// One source's pooled candidates, each with its summed tag weights; the caller adds WHERE and GROUP BY.
const grouped = (src: string) =>
  `SELECT CAST(${src} AS BIGINT) AS src_id, p.article_id AS dst_id, 1 AS kind, 0 AS pick_position, SUM(p.weight) AS score, MAX(p.live_at) AS live_at
    FROM tag_pool p`;

// The related links of one source, ranked as the related loader does; `src` is its id.
const relatedCtes = (src: string) => `src_tags AS (SELECT article_id AS src_id, tag_id FROM article_tags WHERE article_id = ${src}),
  ${PICKS_ONCE ? `pick_ids AS MATERIALIZED (SELECT article_id, related_id FROM article_related WHERE article_id = ${src}),` : ""}
  tag_live AS MATERIALIZED (SELECT t.id AS tag_id, t.live_count - (SELECT COUNT(*) FROM article_tags lf WHERE lf.tag_id = t.id AND lf.live_at > :now) AS live
    FROM tags t WHERE t.id IN (SELECT tag_id FROM src_tags)),
  tag_weights AS MATERIALIZED (SELECT tag_id, CAST(1000000000 / (CASE WHEN live > 1 THEN live ELSE 1 END) AS INTEGER) AS weight FROM tag_live),
  ${POOL},
  picks AS (SELECT r.article_id AS src_id, r.related_id AS dst_id, 0 AS kind, r.position AS pick_position, 0 AS score, a.published_at AS live_at
    FROM article_related r CROSS JOIN articles a WHERE a.id = r.related_id AND r.article_id = ${src} AND r.related_id <> r.article_id AND ${LIVE}),
  shared AS (${
    PICKS_ONCE
      ? `SELECT * FROM (${grouped(src)} WHERE p.article_id <> ${src}
    GROUP BY p.article_id ORDER BY score DESC, live_at DESC, dst_id DESC LIMIT 5) best
    WHERE NOT EXISTS (SELECT 1 FROM pick_ids r WHERE r.related_id = best.dst_id)`
      : `${grouped(src)}
    WHERE p.article_id <> ${src} AND NOT EXISTS (SELECT 1 FROM article_related r WHERE r.article_id = ${src} AND r.related_id = p.article_id)
    GROUP BY p.article_id`
  }),
  ranked AS (SELECT c.* FROM (SELECT * FROM picks UNION ALL SELECT * FROM shared) c
    ORDER BY c.kind, c.pick_position, c.score DESC, c.live_at DESC, c.dst_id DESC LIMIT 5)`;

const SQL = {
  // As our article page: the article's row (kind -1), then its related links in their order, in one round trip.
  articlePage: `
  WITH page AS MATERIALIZED (SELECT ${columns("full")}, ${TAG_CHIPS} FROM articles a JOIN authors au ON au.id = a.author_id WHERE a.slug = :slug AND ${LIVE}),
  ${relatedCtes("(SELECT id FROM page)")}
  SELECT -1 AS kind, NULL AS r_pick_position, NULL AS r_score, NULL AS r_live_at, NULL AS r_dst_id, page.* FROM page
  UNION ALL
  SELECT ranked.kind, ranked.pick_position, ranked.score, ranked.live_at, ranked.dst_id, ${columns("none")}, ${store.postgres ? "CAST(NULL AS json)" : "NULL"} AS tags
  FROM ranked JOIN articles a ON a.id = ranked.dst_id JOIN authors au ON au.id = a.author_id
  ORDER BY kind, r_pick_position, r_score DESC, r_live_at DESC, r_dst_id DESC`,
  homeList: `SELECT ${columns("excerpt")}, ${TAG_CHIPS} FROM articles a JOIN authors au ON au.id = a.author_id WHERE ${LIVE} ORDER BY a.published_at DESC, a.id DESC LIMIT 20`,
  // A tag with no live article does not exist for the public.
  tagBySlug: `SELECT id, slug, name FROM tags t WHERE slug = :slug AND EXISTS (SELECT 1 FROM article_tags vt WHERE vt.tag_id = t.id AND vt.live_at <= :now)`,
  // The page finds its tag by slug and carries the tag and its count, as our tag page does; a
  // page with no row leaves the tag to tagBySlug.
  tagArticles: `SELECT ${columns("excerpt")}, ptag.slug AS tag_slug, ptag.name AS tag_name,
    (SELECT COUNT(*) FROM article_tags ct WHERE ct.tag_id = pt.tag_id AND ct.live_at <= :now) AS total
  FROM article_tags pt JOIN articles a ON a.id = pt.article_id JOIN authors au ON au.id = a.author_id JOIN tags ptag ON ptag.id = pt.tag_id
  WHERE pt.tag_id = (SELECT id FROM tags WHERE slug = :slug) AND pt.live_at <= :now ORDER BY pt.live_at DESC, pt.article_id DESC LIMIT 20`,
};
const run = (name: keyof typeof SQL, params: Params) => store.all(name, SQL[name], params);

const dateText = (row: Row) => formatArticleDate(toDate(row.published_at)!, { locale: "id", timeZone: row.time_zone });

async function articlePage(slug: string) {
  const now = nowParam();
  const [a, ...related] = await run("articlePage", { slug, now });
  if (!a) return { data: { article: null } };
  return {
    data: {
      article: {
        id: String(a.id),
        slug: a.slug,
        title: a.title,
        lead: a.lead,
        paragraphs: paragraphsOf(a.body),
        publishedAt: toDate(a.published_at)!.toISOString(),
        publishedAtText: dateText(a),
        featuredImage: a.featured_image_url ? { url: a.featured_image_url, caption: a.featured_image_caption } : null,
        author: { name: a.author_name, slug: a.author_slug },
        tags: tagsOf(a),
        related: related.map((r) => ({
          reason: Number(r.kind) === 0 ? "EDITOR_PICK" : "SHARED_TAGS",
          article: { slug: r.slug, title: r.title, publishedAtText: dateText(r), author: { name: r.author_name } },
        })),
      },
    },
  };
}

async function homePage() {
  const rows = await run("homeList", { now: nowParam() });
  return {
    data: {
      articles: {
        nodes: rows.map((a) => ({
          slug: a.slug,
          title: a.title,
          excerpt: excerptOf(a.lead || a.body, 160),
          publishedAt: toDate(a.published_at)!.toISOString(),
          author: { name: a.author_name, slug: a.author_slug },
          tags: tagsOf(a),
        })),
      },
    },
  };
}

async function tagPage(slug: string) {
  const now = nowParam();
  const rows = await run("tagArticles", { slug, now });
  const [tag] = rows.length > 0 ? [{ slug: rows[0].tag_slug, name: rows[0].tag_name }] : await run("tagBySlug", { slug, now });
  if (!tag) return { data: { tag: null } };
  return {
    data: {
      tag: {
        slug: tag.slug,
        name: tag.name,
        articles: {
          totalCount: rows.length > 0 ? Number(rows[0].total) : 0,
          nodes: rows.map((a) => ({ slug: a.slug, title: a.title, excerpt: excerptOf(a.lead || a.body, 160), publishedAtText: dateText(a), author: { name: a.author_name } })),
        },
      },
    },
  };
}

async function respond(request: Buffer, res: http.ServerResponse): Promise<void> {
  const { operationName, variables } = JSON.parse(request.toString("utf8") || "{}");
  const result =
    operationName === "ArticlePage" ? await articlePage(variables.slug) : operationName === "TagPage" ? await tagPage(variables.slug) : await homePage();
  // Apollo ends every JSON response with a newline; byte-identical means that too.
  const body = `${JSON.stringify(result)}\n`;
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    respond(Buffer.concat(chunks), res).catch((error: unknown) => {
      // A failed read answers 500 (counted by the load generator) instead of an unhandled rejection.
      console.error(error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("floor server error");
    });
  });
});
server.listen(Number(portArg ?? 4500), "127.0.0.1", () => console.log("floor ready"));
