/**
 * `npm run bench`: seeds a synthetic database on each engine, then measures our production
 * server against the floor (bench/floor-server.ts) for the three front-end queries at
 * concurrency 10 and 50, uncached and with the response cache warm; on PostgreSQL also the
 * peer, PostGraphile 4 (bench/postgraphile-server.ts) on the same database; on SQLite a layer
 * ablation. Writes bench/results.md and bench/results.json.
 *
 *   npm run bench -- [--database sqlite|postgres|both] [--articles 20000] [--seconds 8] [--rounds 3] [--no-ablation] [--workers 1,2]
 *
 * The uncached comparison runs in rounds: the floor, our server and (on PostgreSQL) the peer
 * all stay up, and each round measures each of them in turn, starting with a different one each
 * round. A ratio is the median of the rounds' ratios, each between figures taken a minute apart
 * at most: on a shared machine whose speed drifts by a third over minutes, measuring one server
 * after the other (as this script first did) moved a ratio by as much as the code under test.
 *
 * `--workers` lists the WEB_CONCURRENCY values the home query is measured at on SQLite (default 1,2).
 *
 * PostgreSQL: a database is created and dropped on BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { betterSqlite3 } from "../src/db/better-sqlite3";
import { Client } from "pg";
import { PEER_QUERIES, QUERIES, type BenchQuery } from "./queries";
import { startNodeFlags } from "./start-command";

const root = path.resolve(__dirname, "..", "..");
/** npm start's Node flags, for our server and the floor. */
const NODE_FLAGS = startNodeFlags(root);
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const ARTICLES = option("articles", 20_000);
const SECONDS = option("seconds", 8);
const ROUNDS = option("rounds", 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error("--rounds takes a whole number of at least 1");
const ABLATION = !argv.includes("--no-ablation");
const WORKERS = (() => {
  const i = argv.indexOf("--workers");
  const list = i >= 0 ? argv[i + 1].split(",").map(Number) : [1, 2];
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--workers takes a list of whole numbers, e.g. 1,2");
  return list;
})();
const databaseArg = argv.includes("--database") ? argv[argv.indexOf("--database") + 1] : "both";
if (!["sqlite", "postgres", "both"].includes(databaseArg)) throw new Error(`--database must be sqlite, postgres or both, got "${databaseArg}"`);
const DATABASES = (databaseArg === "both" ? ["sqlite", "postgres"] : [databaseArg]) as Engine[];
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CONCURRENCY = [10, 50];
const QUERY_NAMES: BenchQuery[] = ["article", "home", "tag"];

interface Load {
  /** CPU time the load generator itself used (user + system). */
  cpuMs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

type Engine = "sqlite" | "postgres";
type ServerKind = "ours" | "floor" | "postgraphile4";

interface WorkersRow {
  workers: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU cores the server's processes (primary and workers) kept busy on average. */
  serverCores: number;
  /** CPU cores the load generator kept busy on average: on a small machine it competes with the server. */
  loadCores: number;
}

interface ResultRow {
  database: Engine;
  server: ServerKind;
  query: BenchQuery;
  concurrency: number;
  /** `warm+writes`: the warm cache while an editor changes other articles twice a second. */
  cache: "off" | "warm" | "warm+writes";
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statements: number;
  /** The floor on the same engine, and this row's req/s over it. */
  floorRps: number;
  ratio: number;
  peakRssMb: number;
  /** Uncached rows: req/s in each round (rps, p50 and p99 are the rounds' medians). */
  roundRps?: number[];
  /**
   * `warm+writes` only: the same load without the writer, measured just before it on the same
   * server, so the ratio compares two figures a few seconds apart rather than minutes apart.
   */
  withoutWritesRps?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Each round's a ÷ b (the same round's figures), as their median and range. */
function roundRatios(a: number[], b: number[]): { median: number; min: number; max: number } {
  const ratios = a.map((x, i) => x / b[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

async function waitForHttp(url: string, timeoutMs = 30_000) {
  const start = Date.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() - start > timeoutMs) throw new Error(`${url} did not come up`);
    await sleep(100);
  }
}

function peakRssMb(child: ChildProcess): number {
  try {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

let nextPort = 4600;

interface Running {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

async function spawnServer(script: string, args: string[], env: Record<string, string>, health: (port: number) => string, nodeFlags: string[]): Promise<Running> {
  const port = nextPort++;
  const child = spawn(process.execPath, [...nodeFlags, path.join(root, script), ...args.map((a) => a.replace("{port}", String(port)))], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForHttp(health(port));
  return { child, url: `http://127.0.0.1:${port}/graphql`, stop: () => stopChild(child) };
}

const startServer = (databaseUrl: string, env: Record<string, string>) =>
  spawnServer(
    "dist/src/main.js",
    [],
    // Capacity is measured here, so nothing may refuse work: no rate limits, no load shedding
    // (admission under attack is what bench/abuse.ts measures).
    { DATABASE_URL: databaseUrl, RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", SHED_EVENT_LOOP_DELAY_MS: "0", SHED_QUEUE_DEPTH: "0", LOG_LEVEL: "warn", ...env },
    (port) => `http://127.0.0.1:${port}/healthz`,
    NODE_FLAGS,
  );
// The floor runs on the same runtime settings as our server, so its ratio compares code, not
// flags; the peer runs as its own CLI does, with none.
const startFloor = (target: string) => spawnServer("dist/bench/floor-server.js", [target, "{port}"], {}, (port) => `http://127.0.0.1:${port}/`, NODE_FLAGS);
const startPeer = (databaseUrl: string) => spawnServer("dist/bench/postgraphile-server.js", [databaseUrl, "{port}"], {}, (port) => `http://127.0.0.1:${port}/graphql`, []);

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

function load(url: string, query: BenchQuery, connections: number, seconds: number, slugs: string[], peer = false): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "dist/bench/load.js"), JSON.stringify({ url, query, connections, seconds, slugs, method: "POST", peer })], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`load exited ${code}`))));
  });
}

async function post(url: string, query: BenchQuery, slug: string, peer = false) {
  const { document, operationName, needsSlug } = (peer ? PEER_QUERIES : QUERIES)[query];
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: document, operationName, variables: needsSlug ? { slug } : {} }),
  });
  return { status: res.status, text: await res.text(), statements: Number(res.headers.get("x-sql-statements")) };
}

function slugsFor(query: BenchQuery, articleSlugs: string[], tagSlugs: string[]) {
  return query === "tag" ? tagSlugs : articleSlugs;
}

/** A database filled by the seed command, with the slugs the load rotates over. */
interface Prepared {
  engine: Engine;
  url: string;
  articleSlugs: string[];
  /** Live articles outside the load's rotation, which the writer edits. */
  editedSlugs: string[];
  tagSlugs: string[];
  drop(): Promise<void>;
}

const LOAD_SLUGS = 500;
const EDITED_SLUGS = 20;
const LIVE_SLUGS = `SELECT slug FROM articles WHERE status = 'published' AND deleted_at IS NULL AND published_at <= $now ORDER BY random() LIMIT ${LOAD_SLUGS + EDITED_SLUGS}`;
const TAG_SLUGS = `SELECT slug FROM tags ORDER BY random() LIMIT 300`;

function splitSlugs(live: string[]): { articleSlugs: string[]; editedSlugs: string[] } {
  return { articleSlugs: live.slice(0, LOAD_SLUGS), editedSlugs: live.slice(LOAD_SLUGS) };
}

/** An EDITOR token made by the token command, as an operator would. */
function editorToken(databaseUrl: string): string {
  return execFileSync(process.execPath, [path.join(root, "dist/src/cli/token.js"), "create", "--name", "bench writer", "--role", "EDITOR"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  }).trim();
}

const EDIT = `mutation Edit($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id } }`;
const EDITS_PER_SECOND = 2;

/**
 * Runs `work` while an editor changes the lead of articles outside the load's rotation twice a
 * second, through the API like any CMS: what a busy newsroom does to a warm cache.
 */
async function withWriter<T>(url: string, token: string, slugs: string[], work: () => Promise<T>): Promise<{ result: T; edits: number; failed: number }> {
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const ids: string[] = [];
  for (const slug of slugs) {
    const res = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query: `query($slug: String!) { article(slug: $slug) { id } }`, variables: { slug } }) });
    const id = ((await res.json()) as { data?: { article?: { id: string } | null } }).data?.article?.id;
    if (id) ids.push(id);
  }
  if (!ids.length) throw new Error("the writer found none of the articles it was to edit");
  let edits = 0;
  let failed = 0;
  let n = 0;
  const timer = setInterval(() => {
    const id = ids[n++ % ids.length];
    fetch(url, { method: "POST", headers, body: JSON.stringify({ query: EDIT, variables: { id, input: { lead: `Pembaruan ke-${n}: lead diubah redaksi.` } } }) })
      .then(async (res) => ((res.ok && !(await res.text()).includes('"errors"')) ? edits++ : failed++))
      .catch(() => failed++);
  }, 1_000 / EDITS_PER_SECOND);
  try {
    return { result: await work(), edits, failed };
  } finally {
    clearInterval(timer);
  }
}

function seed(databaseUrl: string) {
  console.log(`seeding ${ARTICLES} synthetic articles into ${databaseUrl}`);
  execFileSync(process.execPath, [path.join(root, "dist/src/cli/seed.js"), "--synthetic", String(ARTICLES), "--authors", "500", "--tags", "1000"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "inherit",
  });
}

async function prepare(engine: Engine, workDir: string): Promise<Prepared> {
  if (engine === "sqlite") {
    const file = path.join(workDir, "bench.sqlite");
    seed(`sqlite:${file}`);
    const db = new (betterSqlite3())(file, { readonly: true });
    const now = new Date().toISOString().replace("T", " ").replace("Z", "");
    const liveSlugs = (db.prepare(LIVE_SLUGS.replace("$now", "?")).all(now) as { slug: string }[]).map((r) => r.slug);
    const tagSlugs = (db.prepare(TAG_SLUGS).all() as { slug: string }[]).map((r) => r.slug);
    db.close();
    return { engine, url: `sqlite:${file}`, ...splitSlugs(liveSlugs), tagSlugs, drop: async () => undefined };
  }
  const name = `content_bench_${process.pid}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  seed(url.toString());
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  const liveSlugs = (await db.query(LIVE_SLUGS.replace("$now", "$1"), [new Date()])).rows.map((r) => r.slug as string);
  const tagSlugs = (await db.query(TAG_SLUGS)).rows.map((r) => r.slug as string);
  await db.end();
  return {
    engine,
    url: url.toString(),
    ...splitSlugs(liveSlugs),
    tagSlugs,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** PostGraphile 4 lives in bench/peer (its own install: it needs graphql 15). */
function ensurePeerInstalled() {
  if (fs.existsSync(path.join(root, "bench/peer/node_modules/postgraphile"))) return;
  console.log("installing the peer (PostGraphile 4) into bench/peer");
  execFileSync("npm", ["ci", "--prefix", path.join(root, "bench/peer"), "--no-audit", "--no-fund"], { stdio: "inherit" });
}

async function measure(url: string, query: BenchQuery, c: number, slugs: string[], peer = false): Promise<Load> {
  await load(url, query, c, 2, slugs, peer); // warm-up (and, with the cache on, fills it)
  return load(url, query, c, SECONDS, slugs, peer);
}

/**
 * Asks for every page the load rotates over once, ten at a time, so a "warm" figure measures a
 * cache that holds them all: a two-second warm-up at c=10 on a slow uncached page fills only
 * part of it, and the misses then count against the warm row.
 */
async function fillCache(url: string, query: BenchQuery, slugs: string[]): Promise<void> {
  const pending = query === "home" ? [""] : [...slugs];
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let slug = pending.pop(); slug !== undefined; slug = pending.pop()) await post(url, query, slug);
    }),
  );
}

async function benchEngine(db: Prepared, rows: ResultRow[], ablation: { layer: string; query: BenchQuery; rps: number }[]) {
  const { engine } = db;
  // Byte-identical answers first: a floor that answers something else measures nothing.
  const floor = await startFloor(engine === "sqlite" ? db.url.slice("sqlite:".length) : db.url);
  const dev = await startServer(db.url, { NODE_ENV: "development", RESPONSE_CACHE: "off" });
  const statements: Record<BenchQuery, number> = { article: 0, home: 0, tag: 0 };
  for (const query of QUERY_NAMES) {
    for (const slug of slugsFor(query, db.articleSlugs, db.tagSlugs).slice(0, 10)) {
      const ours = await post(dev.url, query, slug);
      const theirs = await post(floor.url, query, slug);
      if (ours.text !== theirs.text) {
        console.error(`${engine}: floor and server disagree on ${query} ${slug}:\n ours:  ${ours.text.slice(0, 400)}\n floor: ${theirs.text.slice(0, 400)}`);
        process.exit(1);
      }
      statements[query] = Math.max(statements[query], ours.statements);
    }
  }
  await dev.stop();
  console.log(`${engine}: floor answers are byte-identical; statements per request:`, statements);

  /** The floor's req/s in each round, by `query@concurrency`. */
  const floorRounds: Record<string, number[]> = {};
  const row = (server: ServerKind, query: BenchQuery, c: number, cache: ResultRow["cache"], result: Load, child: ChildProcess, rounds?: Load[]): ResultRow => {
    const floorRound = floorRounds[`${query}@${c}`];
    const f = floorRound ? median(floorRound) : result.rps;
    if (result.non2xx || result.errors) console.warn(`  ${result.non2xx} non-2xx, ${result.errors} errors`);
    const roundRps = rounds?.map((r) => Math.round(r.rps));
    const againstFloor = rounds && floorRound ? roundRatios(rounds.map((r) => r.rps), floorRound).median : result.rps / f;
    const r: ResultRow = {
      database: engine,
      server,
      query,
      concurrency: c,
      cache,
      rps: Math.round(result.rps),
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      statements: server === "ours" && cache === "off" ? statements[query] : 0,
      floorRps: Math.round(f),
      ratio: Number(againstFloor.toFixed(3)),
      peakRssMb: peakRssMb(child),
      ...(roundRps ? { roundRps } : {}),
    };
    console.log(
      `${engine} ${server} ${query} c=${c} cache=${cache}: ${r.rps} req/s${roundRps ? ` (rounds ${roundRps.join(", ")})` : ""} (floor ${r.floorRps}, ratio ${r.ratio}), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    );
    return r;
  };

  // Uncached, in rounds (see the header): every contender up at once, each measured in turn.
  const contenders: { server: ServerKind; running: Running; peer: boolean }[] = [{ server: "floor", running: floor, peer: false }];
  contenders.push({ server: "ours", running: await startServer(db.url, { NODE_ENV: "production", RESPONSE_CACHE: "off" }), peer: false });
  if (engine === "postgres") {
    ensurePeerInstalled();
    const peer = await startPeer(db.url);
    for (const query of QUERY_NAMES) {
      const probe = await post(peer.url, query, slugsFor(query, db.articleSlugs, db.tagSlugs)[0], true);
      if (probe.status !== 200 || probe.text.includes('"errors"')) throw new Error(`PostGraphile could not answer the ${query} query: ${probe.text.slice(0, 300)}`);
    }
    contenders.push({ server: "postgraphile4", running: peer, peer: true });
  }
  for (const query of QUERY_NAMES) {
    const slugs = slugsFor(query, db.articleSlugs, db.tagSlugs);
    for (const c of CONCURRENCY) {
      const rounds = new Map<ServerKind, Load[]>(contenders.map((k) => [k.server, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < contenders.length; i++) {
          const { server, running, peer } = contenders[(round + i) % contenders.length];
          rounds.get(server)!.push(await measure(running.url, query, c, slugs, peer));
        }
      }
      const floorRound = rounds.get("floor")!.map((r) => r.rps);
      if (median(floorRound) < 1) throw new Error(`the floor answered no ${query} requests: a query plan went wrong; no ratio can be computed`);
      floorRounds[`${query}@${c}`] = floorRound;
      for (const { server, running } of contenders) {
        const loads = rounds.get(server)!;
        const summary: Load = {
          cpuMs: median(loads.map((r) => r.cpuMs)),
          rps: median(loads.map((r) => r.rps)),
          p50Ms: median(loads.map((r) => r.p50Ms)),
          p99Ms: median(loads.map((r) => r.p99Ms)),
          non2xx: loads.reduce((sum, r) => sum + r.non2xx, 0),
          errors: loads.reduce((sum, r) => sum + r.errors, 0),
        };
        rows.push(row(server, query, c, "off", summary, running.child, loads));
      }
    }
  }
  for (const { running } of contenders) await running.stop();

  // The response cache warm: what a reader mostly gets (not part of the rounds; no other server has one).
  const warm = await startServer(db.url, { NODE_ENV: "production", RESPONSE_CACHE: "memory" });
  for (const query of QUERY_NAMES) {
    await fillCache(warm.url, query, slugsFor(query, db.articleSlugs, db.tagSlugs));
    for (const c of CONCURRENCY) rows.push(row("ours", query, c, "warm", await measure(warm.url, query, c, slugsFor(query, db.articleSlugs, db.tagSlugs)), warm.child));
  }
  const token = editorToken(db.url);
  for (const c of CONCURRENCY) {
    const without = await measure(warm.url, "article", c, db.articleSlugs);
    const { result, edits, failed } = await withWriter(warm.url, token, db.editedSlugs, () => measure(warm.url, "article", c, db.articleSlugs));
    if (failed) console.warn(`  the writer's edits: ${edits} made, ${failed} failed`);
    rows.push({ ...row("ours", "article", c, "warm+writes", result, warm.child), withoutWritesRps: Math.round(without.rps) });
  }
  await warm.stop();

  if (ABLATION && engine === "sqlite") {
    const variants: [string, Record<string, string>][] = [
      ["sqlite3 driver", { SQLITE_DRIVER: "sqlite3" }],
      ["better-sqlite3 driver (default), reads on worker threads", { SQLITE_DRIVER: "better-sqlite3" }],
      // What the worker pool costs: the same driver reading on the event loop (issue 12 allows the pool at most 5%).
      ["better-sqlite3 driver, reads on the event loop (SQLITE_READS=in-process)", { SQLITE_DRIVER: "better-sqlite3", SQLITE_READS: "in-process" }],
      ["response cache off", { RESPONSE_CACHE: "off" }],
      ["response cache on (warm)", { RESPONSE_CACHE: "memory" }],
    ];
    for (const [layer, env] of variants) {
      const server = await startServer(db.url, { NODE_ENV: "production", RESPONSE_CACHE: "off", ...env });
      for (const query of QUERY_NAMES) {
        const slugs = slugsFor(query, db.articleSlugs, db.tagSlugs);
        await load(server.url, query, 50, 1, slugs);
        const result = await load(server.url, query, 50, Math.max(3, Math.round(SECONDS / 2)), slugs);
        ablation.push({ layer, query, rps: Math.round(result.rps) });
        console.log(`ablation ${layer} ${query}: ${Math.round(result.rps)} req/s`);
      }
      await server.stop();
    }
  }
}

/** CPU time (ms) used so far by a process and its children (the cluster workers), from /proc. */
function cpuMsOfTree(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const own = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return own + children.reduce((sum, child) => sum + cpuMsOfTree(child), 0);
  } catch {
    return 0;
  }
}

/** The home query, uncached, at concurrency 50 with WEB_CONCURRENCY=N for each N. */
async function measureWorkers(databaseUrl: string): Promise<WorkersRow[]> {
  const rows: WorkersRow[] = [];
  for (const workers of WORKERS) {
    const server = await startServer(databaseUrl, { NODE_ENV: "production", RESPONSE_CACHE: "off", WEB_CONCURRENCY: String(workers) });
    // Every worker must be up before the load starts, or the first one takes it all.
    await sleep(workers > 1 ? 3000 : 0);
    await load(server.url, "home", 50, 2, []);
    const cpuBefore = cpuMsOfTree(server.child.pid!);
    const started = performance.now();
    const result = await load(server.url, "home", 50, SECONDS, []);
    const elapsedMs = performance.now() - started;
    const serverCores = (cpuMsOfTree(server.child.pid!) - cpuBefore) / elapsedMs;
    await server.stop();
    if (result.non2xx || result.errors) console.warn(`  ${result.non2xx} non-2xx, ${result.errors} errors`);
    const row: WorkersRow = {
      workers,
      rps: Math.round(result.rps),
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      serverCores: Number(serverCores.toFixed(2)),
      loadCores: Number((result.cpuMs / (SECONDS * 1000)).toFixed(2)),
    };
    rows.push(row);
    console.log(`home c=50 cache=off WEB_CONCURRENCY=${workers}: ${row.rps} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, server ${row.serverCores} cores, load generator ${row.loadCores} cores`);
  }
  return rows;
}

function workersSection(rows: WorkersRow[]): string[] {
  if (!rows.length) return [];
  const cores = os.cpus().length;
  const base = rows.find((r) => r.workers === 1);
  return [
    "## Worker processes (`WEB_CONCURRENCY`): home query, concurrency 50, cache off",
    "",
    `The machine has ${cores} cores (load average ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} over 1/5/15 min at the end of this section) and the load generator runs on the same machine: its own CPU use (last column, start-up included) is taken from what the server processes can get.`,
    "",
    "| workers | req/s | vs 1 worker | p50 ms | p99 ms | server CPU (cores) | load generator CPU (cores) |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.workers} | ${r.rps} | ${base ? `${(r.rps / base.rps).toFixed(2)}×` : "–"} | ${r.p50Ms} | ${r.p99Ms} | ${r.serverCores} | ${r.loadCores} |`),
    "",
  ];
}

function writerLines(rows: ResultRow[]): string[] {
  const lines: string[] = [];
  for (const database of DATABASES) {
    for (const c of CONCURRENCY) {
      const writes = rows.find((r) => r.database === database && r.server === "ours" && r.cache === "warm+writes" && r.concurrency === c);
      if (writes?.withoutWritesRps) {
        lines.push(`| ${database} | ${c} | ${writes.withoutWritesRps} | ${writes.rps} | ${(writes.rps / writes.withoutWritesRps).toFixed(2)} | ${writes.p99Ms} |`);
      }
    }
  }
  return lines;
}

function peerRatios(rows: ResultRow[]): string[] {
  const lines: string[] = [];
  for (const query of QUERY_NAMES) {
    for (const c of CONCURRENCY) {
      const ours = rows.find((r) => r.database === "postgres" && r.server === "ours" && r.cache === "off" && r.query === query && r.concurrency === c);
      const warm = rows.find((r) => r.database === "postgres" && r.server === "ours" && r.cache === "warm" && r.query === query && r.concurrency === c);
      const peer = rows.find((r) => r.server === "postgraphile4" && r.query === query && r.concurrency === c);
      if (ours?.roundRps && peer?.roundRps && warm) {
        const uncached = roundRatios(ours.roundRps, peer.roundRps);
        const range = ours.roundRps.length > 1 ? ` (${uncached.min.toFixed(2)}–${uncached.max.toFixed(2)})` : "";
        lines.push(`| ${query} | ${c} | ${ours.rps} | ${warm.rps} | ${peer.rps} | ${uncached.median.toFixed(2)}${range} | ${(warm.rps / peer.rps).toFixed(2)} |`);
      }
    }
  }
  return lines;
}

async function main() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "content-bench-"));
  const started = Date.now();
  const rows: ResultRow[] = [];
  const ablation: { layer: string; query: BenchQuery; rps: number }[] = [];
  let workerRows: WorkersRow[] = [];
  for (const engine of DATABASES) {
    const db = await prepare(engine, workDir);
    try {
      await benchEngine(db, rows, ablation);
      if (engine === "sqlite") workerRows = await measureWorkers(db.url);
    } finally {
      await db.drop();
    }
  }

  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const peerLines = peerRatios(rows);
  const md = [
    "# Benchmark results",
    "",
    `Machine: ${machine}. Database: ${ARTICLES} synthetic articles, 500 authors, 1,000 tags, on ${DATABASES.join(" and ")} (PostgreSQL on the same machine).`,
    `Each figure: autocannon in its own process, ${SECONDS} s after a 2 s warm-up. Uncached figures: the median of ${ROUNDS} round${ROUNDS > 1 ? "s" : ""}, each measuring the floor, our server and (PostgreSQL) the peer in turn, all three kept running; a ratio is the median of the rounds' ratios. The floor is bench/floor-server.ts (node:http + prepared statements on the same engine, the same statements, byte-identical JSON); ratio = req/s over the floor on the same engine. The peer is PostGraphile 4.14.1 on the same PostgreSQL database (bench/postgraphile-server.ts, queries in bench/queries.ts PEER_QUERIES). Node flags: ${NODE_FLAGS.join(" ") || "none"} for our server and the floor (npm start's), none for the peer (as its CLI runs). Run: ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s in all.`,
    "",
    "| database | server | query | concurrency | cache | req/s | floor req/s | ratio | p50 ms | p99 ms | SQL statements | peak RSS MB |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.database} | ${r.server} | ${r.query} | ${r.concurrency} | ${r.cache} | ${r.rps} | ${r.floorRps} | ${r.ratio.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.statements || "–"} | ${r.peakRssMb} |`,
    ),
    "",
    ...(peerLines.length
      ? [
          "## PostgreSQL: ours against PostGraphile 4 (req/s)",
          "",
          "| query | concurrency | ours uncached | ours warm cache | PostGraphile 4 | uncached ÷ peer (rounds' range) | warm ÷ peer |",
          "|---|---|---|---|---|---|---|",
          ...peerLines,
          "",
        ]
      : []),
    ...(writerLines(rows).length
      ? [
          `## Article page, warm cache, while an editor edits other articles ${EDITS_PER_SECOND}× a second (req/s)`,
          "",
          "The two figures of a line are measured one after the other on the same server (8 s without the writer, then 8 s with it). Each edit changes the lead of one of " + EDITED_SLUGS + " live articles outside the load's rotation (through `updateArticle`); only the cached answers that showed the edited article's lead are dropped (its page, lists with excerpts, searches). The article pages in the load show it at most as a related link, which depends on its card (`article:<id>:card`), not its lead, and stay cached.",
          "",
          "| database | concurrency | warm, no writes | warm, with writes | ratio | p99 ms with writes |",
          "|---|---|---|---|---|---|",
          ...writerLines(rows),
          "",
        ]
      : []),
    ...workersSection(workerRows),
    ...(ablation.length
      ? [
          "## Layer ablation on SQLite (concurrency 50, req/s)",
          "",
          "| layer | article | home | tag |",
          "|---|---|---|---|",
          ...[...new Set(ablation.map((a) => a.layer))].map(
            (layer) => `| ${layer} | ${QUERY_NAMES.map((q) => ablation.find((a) => a.layer === layer && a.query === q)?.rps ?? "–").join(" | ")} |`,
          ),
          "",
        ]
      : []),
  ].join("\n");
  // bench/abuse.ts keeps its own section at the end of the file; carry it over.
  const resultsFile = path.join(root, "bench/results.md");
  const previous = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, "utf8") : "";
  const attack = previous.indexOf("\n## Under attack (npm run bench:abuse)\n");
  fs.writeFileSync(resultsFile, attack >= 0 ? `${md.trimEnd()}\n${previous.slice(attack)}` : md);
  fs.writeFileSync(
    path.join(root, "bench/results.json"),
    `${JSON.stringify(rows.map(({ peakRssMb: _rss, ...row }) => row), null, 2)}\n`,
  );
  console.log(`\n${md}`);
  fs.rmSync(workDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
