/**
 * `npm run bench:search -- [--articles 100000] [--queries 200] [--database sqlite|postgres]`: search latency on a synthetic
 * archive. Seeds N articles whose words follow a Zipf distribution (the sample pages' own words
 * by their frequency, then generated words for the long tail a real archive has), rebuilds the
 * index with `search:reindex`, then runs two-word queries made of common corpus words:
 *   - in process through the search loader (query parsing + the one SQL statement), and
 *   - over HTTP against the production server with the response cache off (so every request
 *     reaches the database), asking for what a search page shows.
 * Prints median and p99 in milliseconds. Target: median under 20 ms for a two-word query.
 *
 * `--database postgres` runs the same corpus and queries on PostgreSQL: a database created on
 * BENCH_POSTGRES_URL's server (default TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 * and dropped at the end (kept with --keep). `--reuse URL` measures a database kept that way
 * (same --articles): the corpus is generated again in memory only, so the queries are the same.
 */
import "reflect-metadata";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { betterSqlite3 } from "../src/db/better-sqlite3";
import { Client } from "pg";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/data-source";
import { createLoaders } from "../src/loaders";
import { openReadDatabase } from "../src/db/read-database";
import { SearchOrder } from "../src/loaders/search.loader";
import { anonymous } from "../src/viewer";
import { randomSource, zipfSampler } from "../src/tooling/synthetic";
import { startCommandArgs } from "./start-command";

const root = path.resolve(__dirname, "..", "..");
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const ARTICLES = option("articles", 100_000);
const DATABASE = argv.includes("--database") ? argv[argv.indexOf("--database") + 1] : "sqlite";
if (DATABASE !== "sqlite" && DATABASE !== "postgres") throw new Error(`--database must be sqlite or postgres, got ${DATABASE}`);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const QUERIES = option("queries", 200);
const VOCABULARY = 60_000;

/** Deterministic, so two runs measure the same corpus and queries. */
const random = randomSource(20231013);

function sampleWords(): string[] {
  const counts = new Map<string, number>();
  for (const file of fs.readdirSync(path.join(root, "seeds")).filter((f) => f.endsWith(".txt"))) {
    for (const word of fs.readFileSync(path.join(root, "seeds", file), "utf8").toLowerCase().match(/\p{L}{2,}/gu) ?? []) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
}

function vocabulary(real: string[]): string[] {
  const syllables = ["ba", "ka", "ta", "ra", "ma", "na", "la", "sa", "pa", "da", "ga", "ja", "ri", "ki", "ti", "lu", "mu", "nu", "pe", "se", "to", "ro", "wa", "ya", "ng", "an", "in", "un"];
  const words = [...real];
  const seen = new Set(words);
  while (words.length < VOCABULARY) {
    let w = "";
    const n = 2 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) w += syllables[Math.floor(random() * syllables.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

type CorpusRow =
  | { kind: "author"; slug: string; name: string }
  | { kind: "tag"; slug: string; name: string }
  | { kind: "article"; id: number; slug: string; title: string; lead: string; body: string; published: Date; authorId: number; wordCount: number; tagIds: [number, number] };

/** The synthetic archive in one fixed order of random draws, so every engine gets the same corpus. */
function* corpus(words: string[]): Generator<CorpusRow> {
  const next = zipfSampler(words.length, 1, random);
  const text = (n: number) => Array.from({ length: n }, () => words[next()]).join(" ");
  const sentences = (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i += 15) out.push(text(Math.min(15, n - i)) + ".");
    return out.join(" ");
  };
  const start = Date.UTC(2015, 0, 1);
  const span = Date.UTC(2024, 0, 1) - start;
  for (let i = 1; i <= 300; i++) yield { kind: "author", slug: `penulis-${i}`, name: `Penulis ${i}` };
  for (let i = 1; i <= 500; i++) yield { kind: "tag", slug: `topik-${i}`, name: `Topik ${i}` };
  for (let i = 1; i <= ARTICLES; i++) {
    const body = [sentences(80), sentences(90), sentences(80)].join("\n\n");
    const published = new Date(start + Math.floor(random() * span));
    const title = text(8);
    const lead = sentences(25);
    yield { kind: "article", id: i, slug: `artikel-${i}`, title, lead, body, published, authorId: 1 + (i % 300), wordCount: 275, tagIds: [1 + (i % 500), 1 + ((i * 7 + 3) % 500)] };
  }
}

function seedSqlite(dbFile: string, words: string[]): void {
  const db = new (betterSqlite3())(dbFile);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const insertAuthor = db.prepare(`INSERT INTO authors (slug, name) VALUES (?, ?)`);
  const insertTag = db.prepare(`INSERT INTO tags (slug, name) VALUES (?, ?)`);
  const insertArticle = db.prepare(`INSERT INTO articles (slug, title, lead, body, status, published_at, author_id, word_count)
    VALUES (?, ?, ?, ?, 'published', ?, ?, ?)`);
  const insertTagRow = db.prepare(`INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)`);
  db.transaction(() => {
    for (const row of corpus(words)) {
      if (row.kind === "author") insertAuthor.run(row.slug, row.name);
      else if (row.kind === "tag") insertTag.run(row.slug, row.name);
      else {
        const published = row.published.toISOString().replace("T", " ").replace("Z", "");
        const { lastInsertRowid } = insertArticle.run(row.slug, row.title, row.lead, row.body, published, row.authorId, row.wordCount);
        row.tagIds.forEach((tagId, position) => insertTagRow.run(lastInsertRowid, tagId, position));
      }
    }
  })();
  db.close();
}

/** The same corpus on PostgreSQL, in multi-row INSERTs with the generator's ids, in one transaction. */
async function seedPostgres(url: string, words: string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    if (rows.length === 0) return;
    const values: unknown[] = [];
    const tuples = rows.map((row) => `(${row.map((v) => `$${values.push(v)}`).join(", ")})`);
    await client.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`, values);
  };
  let authors: unknown[][] = [];
  let tags: unknown[][] = [];
  let articles: unknown[][] = [];
  let articleTags: unknown[][] = [];
  const flush = async () => {
    await insert("authors", ["slug", "name"], authors);
    await insert("tags", ["slug", "name"], tags);
    await insert("articles", ["id", "slug", "title", "lead", "body", "status", "published_at", "author_id", "word_count"], articles);
    await insert("article_tags", ["article_id", "tag_id", "position"], articleTags);
    [authors, tags, articles, articleTags] = [[], [], [], []];
  };
  try {
    await client.query("BEGIN");
    for (const row of corpus(words)) {
      if (row.kind === "author") authors.push([row.slug, row.name]);
      else if (row.kind === "tag") tags.push([row.slug, row.name]);
      else {
        articles.push([row.id, row.slug, row.title, row.lead, row.body, "published", row.published, row.authorId, row.wordCount]);
        row.tagIds.forEach((tagId, position) => articleTags.push([row.id, tagId, position]));
        if (articles.length >= 1000) await flush();
      }
    }
    await flush();
    await client.query(`SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT MAX(id) FROM articles))`);
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `${label.padEnd(44)} median ${percentile(sorted, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(sorted, 99).toFixed(2).padStart(7)} ms   (n=${times.length})`;
}

/**
 * Ranking reads every match's document (about 3 kB, two rows a page), so these figures depend on
 * whether the index table fits in shared_buffers: a page that does not is copied in from the OS
 * cache on each visit, and that copy, not the ranking, is most of a query's time. Printed so a
 * reader knows which of the two the figures measured.
 */
async function bufferFit(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_bytes: string; buffer_bytes: string }>(
      `SELECT pg_total_relation_size('article_search') AS table_bytes,
              (SELECT setting::bigint * pg_size_bytes(unit) FROM pg_settings WHERE name = 'shared_buffers') AS buffer_bytes`,
    );
    const mb = (bytes: string) => `${Math.round(Number(bytes) / 2 ** 20)} MB`;
    const fits = Number(rows[0].table_bytes) < Number(rows[0].buffer_bytes);
    return `article_search ${mb(rows[0].table_bytes)}, shared_buffers ${mb(rows[0].buffer_bytes)}: ${
      fits ? "the index fits in PostgreSQL's buffers" : "the index does not fit in PostgreSQL's buffers, so most pages a query ranks come from the OS cache"
    }`;
  } finally {
    await client.end();
  }
}

const SEARCH_PAGE = `query SearchPage($q: String!) {
  search(query: $q, first: 20) {
    pageInfo { hasNextPage endCursor }
    nodes { score snippet article { slug title publishedAt author { name slug } tags { slug name } } }
  }
}`;
const SEARCH_PAGE_WITH_COUNT = SEARCH_PAGE.replace("pageInfo {", "totalCount pageInfo {");

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "search-bench-"));
  const dbFile = path.join(dir, "content.sqlite");
  const pgName = `content_bench_search_${randomBytes(4).toString("hex")}`;
  const pgUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${pgName}` }).toString();
  const reuse = argv.includes("--reuse") ? argv[argv.indexOf("--reuse") + 1] : null;
  const env = { ...process.env, DATABASE_URL: reuse ?? (DATABASE === "postgres" ? pgUrl : `sqlite:${dbFile}`) };
  if (DATABASE === "postgres" && !reuse) await withAdmin((admin) => admin.query(`CREATE DATABASE ${pgName}`));
  try {
    const real = sampleWords();
    const words = vocabulary(real);
    if (reuse) {
      for (const _row of corpus(words)); // the same draws as when it was seeded, so the same queries follow
    } else {
      const migrated = await openDatabase(loadConfig(env).database);
      await migrated.destroy();
      const t = Date.now();
      if (DATABASE === "postgres") await seedPostgres(pgUrl, words);
      else seedSqlite(dbFile, words);
      console.log(`seeded ${ARTICLES} synthetic articles on ${DATABASE} (${VOCABULARY} Zipf-distributed words, ~275 per article) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      execFileSync(process.execPath, [path.join(root, "dist/src/cli/search-reindex.js")], { env, stdio: "inherit" });
    }
    if (DATABASE === "postgres" && !reuse) {
      // Fresh planner statistics and visibility map after the bulk load, as autovacuum gives a live database.
      const client = new Client({ connectionString: pgUrl });
      await client.connect();
      await client.query("VACUUM ANALYZE");
      await client.end();
    }

    // Two-word queries from common content words: the sample's frequent words of 5+ letters,
    // which skips function words (yang, dan, di, untuk) nobody searches for.
    const candidates = real.filter((w) => w.length >= 5).slice(0, 300);
    const queries = Array.from({ length: QUERIES }, () => {
      const a = candidates[Math.floor(random() * candidates.length)];
      let b = a;
      while (b === a) b = candidates[Math.floor(random() * candidates.length)];
      return `${a} ${b}`;
    });

    if (argv.includes("--seed-only")) return;
    const config = loadConfig(env);
    const dataSource = await openDatabase(config.database);
    // The server's reader: on SQLite a worker-thread pool, so times include the hop to a worker.
    const db = await openReadDatabase(config, dataSource);
    const loaderTimes: number[] = [];
    const countTimes: number[] = [];
    const matches: number[] = [];
    for (const q of queries.slice(0, 20)) {
      await createLoaders({ db, entities: dataSource, viewer: anonymous, now: new Date() }).search(q, null, SearchOrder.RELEVANCE, { first: 20 });
    }
    for (const q of queries) {
      const loaders = createLoaders({ db, entities: dataSource, viewer: anonymous, now: new Date() });
      let start = process.hrtime.bigint();
      const page = await loaders.search(q, null, SearchOrder.RELEVANCE, { first: 20 });
      loaderTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
      start = process.hrtime.bigint();
      matches.push(await page.totalCount());
      countTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await db.close();
    await dataSource.destroy();
    const sortedMatches = [...matches].sort((a, b) => a - b);
    console.log(`\n${QUERIES} two-word queries, e.g. ${queries.slice(0, 4).map((q) => `"${q}"`).join(", ")}`);
    console.log(`matching articles per query: median ${percentile(sortedMatches, 50)}, p90 ${percentile(sortedMatches, 90)}, max ${sortedMatches[sortedMatches.length - 1]}\n`);
    console.log(summary("SQL (loader: parse + page statement, 20 hits)", loaderTimes));
    console.log(summary("SQL (totalCount statement)", countTimes));
    if (DATABASE === "postgres") console.log(await bufferFit(env.DATABASE_URL));

    const port = 4700 + Math.floor(random() * 200);
    const server = spawn(process.execPath, startCommandArgs(root), {
      env: { ...env, PORT: String(port), NODE_ENV: "production", RESPONSE_CACHE: "off", RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      const url = `http://127.0.0.1:${port}/graphql`;
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
        } catch {
          if (i > 300) throw new Error("server did not start");
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const post = async (document: string, q: string) => {
        const start = process.hrtime.bigint();
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: document, variables: { q } }) });
        const body = (await res.json()) as { errors?: unknown };
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (body.errors) throw new Error(`${q}: ${JSON.stringify(body.errors)}`);
        return ms;
      };
      for (const q of queries.slice(0, 20)) await post(SEARCH_PAGE, q);
      const http: number[] = [];
      const httpCounted: number[] = [];
      for (const q of queries) http.push(await post(SEARCH_PAGE, q));
      for (const q of queries) httpCounted.push(await post(SEARCH_PAGE_WITH_COUNT, q));
      console.log(summary("HTTP search page (20 hits, snippets, tags)", http));
      console.log(summary("HTTP search page + totalCount", httpCounted));
    } finally {
      server.kill("SIGTERM");
    }
  } finally {
    if (reuse) fs.rmSync(dir, { recursive: true, force: true });
    else if (argv.includes("--keep")) console.log(`database kept at ${DATABASE === "postgres" ? pgUrl : dbFile}`);
    else {
      fs.rmSync(dir, { recursive: true, force: true });
      if (DATABASE === "postgres") await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`));
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
