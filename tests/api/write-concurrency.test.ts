import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DataSource } from "typeorm";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { toDate } from "../../src/db/dialect";
import type { Article } from "../../src/entities/article.entity";
import { createToken } from "../../src/services/token.service";
import { Role } from "../../src/viewer";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { tempSqliteFile } from "../support/database";
import {
  createPostgresDatabase,
  postGraphQL,
  postgresAnswers,
  runConcurrently,
  startServerProcess,
  type ServerProcess,
} from "../support/processes";

const MUTATIONS = 200;
const CONCURRENCY = 50;
const SHARED_ARTICLES = 3;

const CREATE = `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id slug updatedAt } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id updatedAt } }`;
const PUBLISH = `mutation ($id: ID!) { publishArticle(id: $id) { id updatedAt status } }`;
const READ = `query ($id: ID!) { article(id: $id) { updatedAt } }`;

type Kind = "create" | "update" | "update-expected-remembered" | "update-expected-read" | "publish";
const KINDS: Kind[] = ["create", "update", "update-expected-remembered", "publish", "update-expected-read"];

interface Outcome {
  index: number;
  kind: Kind;
  server: number;
  articleId: number | null;
  /** "ok" or the error code. */
  result: string;
  updatedAt: string | null;
  expectedUpdatedAt: string | null;
  marker: string;
  slug: string | null;
}

interface Fixture {
  ds: DataSource;
  /** Edited and published by most mutations at once. */
  shared: Article[];
  /** Edited only by clients that read it first and send the updatedAt they read. */
  readThenWrite: Article;
  headers: Record<string, string>[];
  authorSlug: string;
}

async function prepare(databaseUrl: string): Promise<Fixture> {
  const ds = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: databaseUrl }).database);
  const author = await makeAuthor(ds, { slug: "serentak" });
  await makeTag(ds, { slug: "beban" });
  await makeTag(ds, { slug: "kedua" });
  const shared: Article[] = [];
  for (let n = 0; n < SHARED_ARTICLES + 1; n++) shared.push(await makeArticle(ds, { author, title: `Bersama ${n}`, slug: `bersama-${n}`, status: "draft", publishedAt: null }));
  const readThenWrite = shared.pop()!;
  const headers: Record<string, string>[] = [];
  for (const [n, role] of [Role.EDITOR, Role.EDITOR, Role.AUTHOR].entries()) {
    const { secret } = await createToken(ds, "console", { name: `writer ${n}`, role, authorSlug: role === Role.AUTHOR ? author.slug : null }, new Date());
    headers.push({ authorization: `Bearer ${secret}` });
  }
  return { ds, shared, readThenWrite, headers, authorSlug: author.slug };
}

/** 200 mutations spread over the servers: creates with one title, edits of a few articles with and without expectedUpdatedAt, publishes. */
async function writeConcurrently(servers: ServerProcess[], fixture: Fixture): Promise<{ outcomes: Outcome[]; ms: number }> {
  const remembered = new Map<number, string>(fixture.shared.map((a) => [a.id, a.updatedAt.toISOString()]));
  const calls = Array.from({ length: MUTATIONS }, (_, index) => async (): Promise<Outcome> => {
    const kind = KINDS[index % KINDS.length];
    const server = index % servers.length;
    const url = servers[server].url;
    const headers = fixture.headers[index % fixture.headers.length];
    const target = kind === "update-expected-read" ? fixture.readThenWrite : fixture.shared[Math.floor(index / KINDS.length) % fixture.shared.length];
    const marker = `Versi ${index}.`;
    const outcome: Outcome = { index, kind, server, articleId: kind === "create" ? null : target.id, result: "ok", updatedAt: null, expectedUpdatedAt: null, marker, slug: null };
    let response;
    if (kind === "create") {
      // Opposite tag orders take the tags' counters in opposite orders: no deadlock may reach a client.
      const tagSlugs = index % 2 === 0 ? ["beban", "kedua"] : ["kedua", "beban"];
      response = await postGraphQL(url, CREATE, { input: { title: "Berita Serentak", lead: "Lead.", body: marker, authorSlug: fixture.authorSlug, tagSlugs } }, headers);
    } else if (kind === "publish") {
      response = await postGraphQL(url, PUBLISH, { id: String(target.id) }, headers);
    } else {
      const input: Record<string, unknown> = { body: `${marker}\n\nParagraf kedua.` };
      if (kind === "update-expected-remembered") input.expectedUpdatedAt = remembered.get(target.id);
      if (kind === "update-expected-read") {
        const read = await postGraphQL(url, READ, { id: String(target.id) }, headers);
        input.expectedUpdatedAt = read.body.data?.article?.updatedAt;
        input.title = `Bersama, ${marker}`;
      }
      outcome.expectedUpdatedAt = (input.expectedUpdatedAt as string | undefined) ?? null;
      response = await postGraphQL(url, UPDATE, { id: String(target.id), input }, headers);
    }
    const error = response.body.errors?.[0];
    if (response.status !== 200 || error) {
      outcome.result = error?.extensions?.code ? String(error.extensions.code) : `HTTP ${response.status}`;
      return outcome;
    }
    const written = Object.values(response.body.data ?? {})[0] as { id: string; slug?: string; updatedAt: string };
    outcome.articleId = Number(written.id);
    outcome.updatedAt = written.updatedAt;
    outcome.slug = written.slug ?? null;
    if (kind !== "create") remembered.set(target.id, written.updatedAt);
    return outcome;
  });
  const started = performance.now();
  const outcomes = await runConcurrently(calls, CONCURRENCY);
  return { outcomes, ms: performance.now() - started };
}

interface RevisionRow {
  article_id: number;
  revision: number;
  action: string;
  body: string;
  title: string;
  created_at: unknown;
}

async function checkEveryWrite(fixture: Fixture, outcomes: Outcome[]): Promise<void> {
  const { ds } = fixture;
  const unexpected = outcomes.filter((o) => o.result !== "ok" && o.result !== "CONFLICT");
  assert.deepEqual(unexpected.map((o) => `${o.kind} #${o.index}: ${o.result}`), [], "every refused write is refused with CONFLICT");
  const refusedUnconditionally = outcomes.filter((o) => o.result === "CONFLICT" && o.expectedUpdatedAt === null);
  assert.deepEqual(refusedUnconditionally.map((o) => `${o.kind} #${o.index}`), [], "only a write based on an old version is refused");

  // Creates: every acknowledged one is there, under its own slug.
  const creates = outcomes.filter((o) => o.kind === "create");
  const rows: { id: number; slug: string; body: string }[] = await ds.query(`SELECT id, slug, body FROM articles WHERE title = 'Berita Serentak' ORDER BY id`);
  assert.equal(rows.length, creates.length);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  for (const o of creates) assert.deepEqual({ slug: byId.get(o.articleId!)?.slug, body: byId.get(o.articleId!)?.body }, { slug: o.slug, body: o.marker });
  const [{ slugs, articles }] = await ds.query(`SELECT COUNT(DISTINCT slug) AS slugs, COUNT(*) AS articles FROM articles`);
  assert.equal(Number(slugs), Number(articles), "slugs are unique");

  // Revisions: unique and gapless per article; one per acknowledged write, none for a refused one.
  const revisions: RevisionRow[] = await ds.query(`SELECT article_id, revision, action, body, title, created_at FROM article_revisions ORDER BY article_id, revision`);
  const byArticle = new Map<number, RevisionRow[]>();
  for (const r of revisions) byArticle.set(Number(r.article_id), [...(byArticle.get(Number(r.article_id)) ?? []), r]);
  for (const [articleId, list] of byArticle) {
    assert.deepEqual(list.map((r) => Number(r.revision)), list.map((_, i) => i + 1), `revisions of article ${articleId} are 1..n`);
  }
  for (const o of creates) assert.deepEqual(byArticle.get(o.articleId!)?.map((r) => r.action), ["create"]);

  for (const article of [...fixture.shared, fixture.readThenWrite]) {
    const list = byArticle.get(article.id) ?? [];
    const acknowledged = outcomes.filter((o) => o.kind !== "create" && o.articleId === article.id && o.result === "ok");
    assert.equal(list.length, acknowledged.length + 1, `article ${article.id}: the baseline plus one revision per acknowledged write`);
    const at = (r: RevisionRow) => toDate(r.created_at)!.toISOString();
    const byInstant = new Map(list.map((r, i) => [at(r), i]));
    for (const o of acknowledged) {
      const position = byInstant.get(o.updatedAt!);
      assert.ok(position !== undefined, `${o.kind} #${o.index} has its revision`);
      if (o.kind.startsWith("update")) assert.ok(list[position].body.startsWith(o.marker), `${o.kind} #${o.index}: its text is what was saved`);
      // A conditional write landed on exactly the version it was based on.
      if (o.expectedUpdatedAt) assert.equal(at(list[position - 1]), o.expectedUpdatedAt, `${o.kind} #${o.index} was based on the version before it`);
    }
    for (const o of outcomes.filter((x) => x.articleId === article.id && x.result === "CONFLICT")) {
      assert.ok(!list.some((r) => r.body.startsWith(o.marker)), `refused ${o.kind} #${o.index} left nothing`);
    }
    const [current] = await ds.query(`SELECT title, body, updated_at FROM articles WHERE id = ${article.id}`);
    const last = list[list.length - 1];
    assert.deepEqual([current.title, current.body, toDate(current.updated_at)!.toISOString()], [last.title, last.body, at(last)], "the article is its newest revision");
  }

  const counts: { slug: string; kept: number; actual: number }[] = await ds.query(
    `SELECT t.slug, t.live_count AS kept, (SELECT COUNT(*) FROM article_tags x WHERE x.tag_id = t.id AND x.live_at IS NOT NULL) AS actual FROM tags t ORDER BY t.slug`,
  );
  for (const c of counts) assert.equal(Number(c.kept), Number(c.actual), `live_count of ${c.slug} stays exact`);
}

function summary(engine: string, outcomes: Outcome[], ms: number): string {
  const tally = (list: Outcome[]) => `${list.filter((o) => o.result === "ok").length} ok / ${list.filter((o) => o.result === "CONFLICT").length} CONFLICT`;
  const kinds = KINDS.map((k) => `${k} ${tally(outcomes.filter((o) => o.kind === k))}`).join("; ");
  return `write concurrency (${engine}, 2 processes): ${outcomes.length} mutations at concurrency ${CONCURRENCY} in ${ms.toFixed(0)} ms; ${tally(outcomes)} (${kinds})`;
}

async function scenario(engine: string, databaseUrl: string): Promise<void> {
  const fixture = await prepare(databaseUrl);
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startServerProcess(databaseUrl), await startServerProcess(databaseUrl));
    const { outcomes, ms } = await writeConcurrently(servers, fixture);
    console.log(summary(engine, outcomes, ms));
    await checkEveryWrite(fixture, outcomes);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await fixture.ds.destroy();
  }
}

describe("writes from two server processes on one database", async () => {
  const pgAvailable = await postgresAnswers();

  it("SQLite file: every acknowledged write is there, every refused one is a CONFLICT, revisions gapless, slugs unique", async () => {
    await scenario("sqlite", `sqlite:${tempSqliteFile("two-processes")}`);
  });

  describe("PostgreSQL", () => {
    let database: { url: string; drop(): Promise<void> } | undefined;
    before(async () => {
      if (pgAvailable) database = await createPostgresDatabase("writes");
    });
    after(async () => {
      await database?.drop();
    });

    it("PostgreSQL database: every acknowledged write is there, every refused one is a CONFLICT, revisions gapless, slugs unique", { skip: !pgAvailable && "no PostgreSQL answers at TEST_POSTGRES_URL" }, async () => {
      await scenario("postgres", database!.url);
    });
  });
});
