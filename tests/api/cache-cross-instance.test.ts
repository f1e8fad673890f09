import { createPostgresDatabase, dropDatabase, postgresAnswers, TEST_ENGINE } from "../support/database";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import { CHANNEL } from "../../src/cache/change-feed";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { importPages } from "../../src/import/importer";
import { createToken } from "../../src/services/token.service";
import { Role } from "../../src/viewer";
import { waitFor } from "../support/redis";
import { MAIN_COMMAND, PROJECT_ROOT, runSeed, samplePage, SEED_COMMAND, tempDbFile, tempDir, writePage } from "../support/seed-cli";

/**
 * Several processes on one database: a change committed by one (another server, the seed
 * command) reaches every other server's cache through the database itself (NOTIFY on
 * PostgreSQL, the content_changes table on SQLite). Each case warms B, commits elsewhere and
 * polls B until it serves the new text, printing how long after the commit the first request
 * that got the new text was sent (B answered stale before that, fresh from then on).
 */
const SLUG = "bertemu-di-pangkalan-antariksa-rusia-kim-jong-un-dan-vladimir-putin-bicarakan";
const PAGE = `query($slug: String!) { article(slug: $slug) { title lead paragraphs } }`;

interface ServerProcess {
  url: string;
  child: ChildProcess;
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ headers: Headers; body: any }>;
}

async function startServerProcess(databaseUrl: string): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, PORT: "0", NODE_ENV: "development", LOG_LEVEL: "warn" };
  Object.assign(env, { RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", SHED_EVENT_LOOP_DELAY_MS: "0", SHED_QUEUE_DEPTH: "0" });
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [MAIN_COMMAND], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /content API ready at http:\/\/localhost:(\d+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}/graphql`);
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    async gql(query, variables, headers = {}) {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
      return { headers: response.headers, body: await response.json() };
    },
  };
}

async function stop(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

/** A copy of the sample page with one more paragraph, and its sidecar, in a folder of its own. */
function editedSampleDir(paragraph: string): string {
  const dir = tempDir("cross-instance-seed");
  const sidecar = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "seeds/alinea-putin-kim-vostochny.json"), "utf8"));
  writePage(dir, "alinea-putin-kim-vostochny.txt", samplePage({ extraParagraph: paragraph }), sidecar);
  return dir;
}

async function runSeedCommand(databaseUrl: string, dir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [SEED_COMMAND, dir], { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "ignore" });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`seed exited with ${code}`))));
  });
}

/** Warms B, runs `commit`, then polls B until `fresh` holds; returns ms from the commit instant. */
async function measure(
  b: ServerProcess,
  fresh: (article: any) => boolean,
  commit: () => Promise<void>,
  committedAt: () => number | null,
): Promise<{ from: number; to: number }> {
  await b.gql(PAGE, { slug: SLUG });
  const warm = await b.gql(PAGE, { slug: SLUG });
  assert.equal(warm.headers.get("x-cache"), "HIT", "B serves the page from its cache before the change");
  assert.ok(!fresh(warm.body.data.article));
  // Polled while the change is being made, so the delay is not padded by the writer's own exit.
  // B turned fresh between the last stale request was sent and the first fresh one answered.
  let finishedAt: number | null = null;
  let failure = null as Error | null;
  const committing = commit().then(
    () => void (finishedAt = Date.now()),
    (error: unknown) => void (failure = error instanceof Error ? error : new Error(`the commit failed: ${String(error)}`)),
  );
  let lastStaleAskedAt = 0;
  const seen = await waitFor(
    async () => {
      const started = Date.now();
      const article = (await b.gql(PAGE, { slug: SLUG })).body.data.article;
      if (!fresh(article)) lastStaleAskedAt = started;
      return article;
    },
    // A writer process may take long to start on a busy machine: B gets 10 s once it is done.
    (article) => fresh(article) || failure !== null || (finishedAt !== null && Date.now() - finishedAt > 10_000),
    120_000,
    5,
  );
  const answeredAt = Date.now();
  await committing;
  if (failure) throw failure;
  assert.ok(fresh(seen), `B serves the new text (commit ${committedAt() === null ? "not " : ""}observed)`);
  const at = committedAt();
  assert.ok(at !== null, "the commit was observed");
  return { from: Math.max(0, lastStaleAskedAt - at), to: answeredAt - at };
}

const span = (d: { from: number; to: number }) => `${d.from}–${d.to} ms`;

describe("every instance sees every write: two server processes on one PostgreSQL database", async () => {
  const available = await postgresAnswers();
  const skip = !available && "no PostgreSQL at 127.0.0.1:5432";
  let listener: Client;
  let url = "";
  let database = "";
  let dataSource: DataSource;
  let a: ServerProcess;
  let b: ServerProcess;
  let editor: Record<string, string>;
  let articleId: number;
  let notifiedAt: number | null = null;

  before(async () => {
    if (!available) return;
    url = await createPostgresDatabase("cross_instance");
    database = new URL(url).pathname.slice(1);
    dataSource = await openDatabase(loadConfig({ DATABASE_URL: url }).database);
    const report = await importPages(dataSource, [path.join(PROJECT_ROOT, "seeds")]);
    assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
    const { secret } = await createToken(dataSource, "console", { name: "cross-instance editor", role: Role.EDITOR }, new Date());
    editor = { authorization: `Bearer ${secret}` };
    [{ id: articleId }] = await dataSource.query(`SELECT id FROM articles WHERE slug = $1`, [SLUG]);
    // The test hears the same channel: a notification arrives when the writing transaction commits.
    listener = new Client({ connectionString: url });
    await listener.connect();
    listener.on("notification", () => {
      notifiedAt ??= Date.now();
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    [a, b] = await Promise.all([startServerProcess(url), startServerProcess(url)]);
  });
  after(async () => {
    if (!available) return;
    await Promise.all([stop(a), stop(b)]);
    await listener?.end().catch(() => undefined);
    await dataSource?.destroy();
    await dropDatabase(url);
  });

  it("B serves an edit made on A within moments of its commit", { skip }, async () => {
    const lead = `Lead diperbarui ${randomBytes(3).toString("hex")}.`;
    notifiedAt = null;
    let answeredAt = 0;
    const delay = await measure(
      b,
      (article) => article.lead === lead,
      async () => {
        const res = await a.gql(`mutation($id: ID!, $lead: String!) { updateArticle(id: $id, input: { lead: $lead }) { id } }`, { id: String(articleId), lead }, editor);
        answeredAt = Date.now();
        assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      },
      () => notifiedAt,
    );
    console.log(`PostgreSQL, mutation on A: B turned fresh ${span(delay)} after the commit was announced (A answered ${answeredAt - (notifiedAt ?? answeredAt)} ms after it)`);
  });

  it("B's listening connection, cut by the database, comes back and misses nothing", { skip }, async () => {
    const listeners = async () =>
      (await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'content-api-listen'`, [database]))[0].n;
    const edit = async (lead: string) => {
      const res = await a.gql(`mutation($id: ID!, $lead: String!) { updateArticle(id: $id, input: { lead: $lead }) { id } }`, { id: String(articleId), lead }, editor);
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    };
    assert.equal(await listeners(), 2, "each server listens on a connection of its own");
    // An edit while B is not listening: B must not keep serving what it cached before.
    const duringGap = `Lead saat putus ${randomBytes(3).toString("hex")}.`;
    notifiedAt = null;
    const gapDelay = await measure(
      b,
      (article) => article.lead === duringGap,
      async () => {
        await dataSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'content-api-listen'`, [database]);
        await edit(duringGap);
      },
      () => notifiedAt,
    );
    assert.equal(await waitFor(listeners, (n) => n === 2), 2, "both listeners reconnected");
    // And once back, notifications flow again.
    const afterGap = `Lead setelah sambung ${randomBytes(3).toString("hex")}.`;
    notifiedAt = null;
    const delay = await measure(b, (article) => article.lead === afterGap, () => edit(afterGap), () => notifiedAt);
    console.log(`PostgreSQL, LISTEN connections terminated: an edit made during the gap fresh on B ${span(gapDelay)} after its commit; after reconnecting, ${span(delay)}`);
  });

  it("B serves what `npm run seed` changed within moments of its commit", { skip }, async () => {
    const paragraph = `Paragraf tambahan dari seed ${randomBytes(3).toString("hex")}.`;
    notifiedAt = null;
    const dir = editedSampleDir(paragraph);
    const delay = await measure(
      b,
      (article) => article.paragraphs.includes(paragraph),
      () => runSeedCommand(url, dir),
      () => notifiedAt,
    );
    console.log(`PostgreSQL, seed command: B turned fresh ${span(delay)} after the commit was announced`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("every instance sees every write: two server processes on one SQLite file (SQLite)", { skip: TEST_ENGINE === "postgres" ? "runs in the SQLite pass" : false }, () => {
  const dbFile = tempDbFile("cross-instance");
  let dataSource: DataSource;
  let a: ServerProcess;
  let b: ServerProcess;
  let editor: Record<string, string>;
  let articleId: number;
  let lastChange = 0;
  let changedAt: number | null = null;
  let watcher: NodeJS.Timeout;

  before(async () => {
    dataSource = await openDatabase(loadConfig({ DATABASE_URL: `sqlite:${dbFile}` }).database);
    const report = await importPages(dataSource, [path.join(PROJECT_ROOT, "seeds")]);
    assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
    const { secret } = await createToken(dataSource, "console", { name: "cross-instance editor", role: Role.EDITOR }, new Date());
    editor = { authorization: `Bearer ${secret}` };
    [{ id: articleId }] = await dataSource.query(`SELECT id FROM articles WHERE slug = ?`, [SLUG]);
    [{ last: lastChange }] = await dataSource.query(`SELECT COALESCE(MAX(id), 0) AS last FROM content_changes`);
    // The commit instant, as close as another connection can see it: the change row appearing.
    const watch = async () => {
      const [{ last }] = await dataSource.query(`SELECT COALESCE(MAX(id), 0) AS last FROM content_changes`);
      if (Number(last) > Number(lastChange)) {
        lastChange = Number(last);
        changedAt ??= Date.now();
      }
    };
    watcher = setInterval(() => void watch(), 5);
    [a, b] = await Promise.all([startServerProcess(`sqlite:${dbFile}`), startServerProcess(`sqlite:${dbFile}`)]);
  });
  after(async () => {
    clearInterval(watcher);
    await Promise.all([stop(a), stop(b)]);
    await dataSource?.destroy();
  });

  it("B serves an edit made on A within a poll interval of its commit", async () => {
    const lead = `Lead SQLite ${randomBytes(3).toString("hex")}.`;
    changedAt = null;
    const delay = await measure(
      b,
      (article) => article.lead === lead,
      async () => {
        const res = await a.gql(`mutation($id: ID!, $lead: String!) { updateArticle(id: $id, input: { lead: $lead }) { id } }`, { id: String(articleId), lead }, editor);
        assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      },
      () => changedAt,
    );
    console.log(`SQLite, mutation on A: B turned fresh ${span(delay)} after the commit`);
  });

  it("B serves what `npm run seed` changed within a poll interval of its commit", async () => {
    const paragraph = `Paragraf seed SQLite ${randomBytes(3).toString("hex")}.`;
    changedAt = null;
    const dir = editedSampleDir(paragraph);
    const delay = await measure(
      b,
      (article) => article.paragraphs.includes(paragraph),
      async () => {
        const run = await runSeed(dbFile, [dir]);
        assert.equal(run.status, 0, run.stderr);
      },
      () => changedAt,
    );
    console.log(`SQLite, seed command: B turned fresh ${span(delay)} after the commit`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
