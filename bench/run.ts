/**
 * `npm run bench`: seeds a synthetic database, then measures our production server against
 * the floor (bench/floor-server.ts) for the three front-end queries at concurrency 10 and 50,
 * uncached and with the response cache warm, plus a layer ablation. Writes bench/results.md
 * and bench/results.json.
 *
 *   npm run bench -- [--articles 20000] [--seconds 8] [--no-ablation] [--workers 1,2] [--only-workers]
 *
 * `--workers` lists the WEB_CONCURRENCY values the home query is measured at (default 1,2);
 * `--only-workers` measures only that and writes bench/workers.md instead of results.md.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { QUERIES, type BenchQuery } from "./queries";

const root = path.resolve(__dirname, "..", "..");
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const ARTICLES = option("articles", 20_000);
const SECONDS = option("seconds", 8);
const ABLATION = !argv.includes("--no-ablation");
const WORKERS = (() => {
  const i = argv.indexOf("--workers");
  const list = i >= 0 ? argv[i + 1].split(",").map(Number) : [1, 2];
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--workers takes a list of whole numbers, e.g. 1,2");
  return list;
})();
const ONLY_WORKERS = argv.includes("--only-workers");
const CONCURRENCY = [10, 50];
const QUERY_NAMES: BenchQuery[] = ["article", "home", "tag"];

interface Load {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU time the load generator itself used (user + system). */
  cpuMs: number;
}

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
  query: BenchQuery;
  concurrency: number;
  cache: "off" | "warm";
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statements: number;
  floorRps: number;
  ratio: number;
  peakRssMb: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

async function startServer(dbFile: string, env: Record<string, string>, workers = 1): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const port = nextPort++;
  const child = spawn(process.execPath, [path.join(root, "dist/src/main.js")], {
    env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}`, PORT: String(port), RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", WEB_CONCURRENCY: String(workers), ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Every worker prints its ready line; the first one up would otherwise take all the load.
  let readyLines = 0;
  const allReady = new Promise<void>((resolve) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      readyLines += (chunk.toString().match(/content API ready at/g) ?? []).length;
      if (readyLines >= workers) resolve();
    });
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  await allReady;
  return { child, url, stop: () => stopChild(child) };
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
async function measureWorkers(dbFile: string): Promise<WorkersRow[]> {
  const rows: WorkersRow[] = [];
  for (const workers of WORKERS) {
    const server = await startServer(dbFile, { NODE_ENV: "production", RESPONSE_CACHE: "off" }, workers);
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

async function startFloor(dbFile: string): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const port = nextPort++;
  const child = spawn(process.execPath, [path.join(root, "dist/bench/floor-server.js"), dbFile, String(port)], { stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForHttp(url.replace("/graphql", "/"));
  return { child, url, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

function load(url: string, query: BenchQuery, connections: number, seconds: number, slugs: string[]): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "dist/bench/load.js"), JSON.stringify({ url, query, connections, seconds, slugs, method: "POST" })], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (c) => (out += c));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`load exited ${code}`))));
  });
}

async function post(url: string, query: BenchQuery, slug: string, headers: Record<string, string> = {}) {
  const { document, operationName } = QUERIES[query];
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: document, operationName, variables: QUERIES[query].needsSlug ? { slug } : {} }),
  });
  return { text: await res.text(), statements: Number(res.headers.get("x-sql-statements")) };
}

function slugsFor(query: BenchQuery, articleSlugs: string[], tagSlugs: string[]) {
  return query === "tag" ? tagSlugs : articleSlugs;
}

async function main() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "content-bench-"));
  const dbFile = path.join(workDir, "bench.sqlite");
  const started = Date.now();
  console.log(`seeding ${ARTICLES} synthetic articles into ${dbFile}`);
  execFileSync(process.execPath, [path.join(root, "dist/src/cli/seed.js"), "--synthetic", String(ARTICLES), "--authors", "500", "--tags", "1000"], {
    env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}` },
    stdio: "inherit",
  });

  const db = new Database(dbFile, { readonly: true });
  const now = new Date().toISOString().replace("T", " ").replace("Z", "");
  const articleSlugs = (db.prepare(`SELECT slug FROM articles WHERE status = 'published' AND deleted_at IS NULL AND published_at <= ? ORDER BY random() LIMIT 500`).all(now) as { slug: string }[]).map((r) => r.slug);
  const tagSlugs = (db.prepare(`SELECT slug FROM tags ORDER BY random() LIMIT 300`).all() as { slug: string }[]).map((r) => r.slug);
  db.close();

  if (ONLY_WORKERS) {
    const workerRows = await measureWorkers(dbFile);
    const md = ["# Benchmark: worker processes", "", `Database: ${ARTICLES} synthetic articles (SQLite file). autocannon in its own process, ${SECONDS} s after a 2 s warm-up. Run: ${new Date().toISOString()}. Command: \`npm run bench -- --only-workers --seconds ${SECONDS}\`.`, "", ...workersSection(workerRows)].join("\n");
    fs.writeFileSync(path.join(root, "bench/workers.md"), md);
    console.log(`\n${md}`);
    fs.rmSync(workDir, { recursive: true, force: true });
    return;
  }

  // Byte-identical answers first: a floor that answers something else measures nothing.
  const floor = await startFloor(dbFile);
  const dev = await startServer(dbFile, { NODE_ENV: "development", RESPONSE_CACHE: "off" });
  const statements: Record<BenchQuery, number> = { article: 0, home: 0, tag: 0 };
  for (const query of QUERY_NAMES) {
    for (const slug of slugsFor(query, articleSlugs, tagSlugs).slice(0, 10)) {
      const ours = await post(dev.url, query, slug);
      const theirs = await post(floor.url, query, slug);
      if (ours.text !== theirs.text) {
        console.error(`floor and server disagree on ${query} ${slug}:\n ours:  ${ours.text.slice(0, 400)}\n floor: ${theirs.text.slice(0, 400)}`);
        process.exit(1);
      }
      statements[query] = Math.max(statements[query], ours.statements);
    }
  }
  await dev.stop();
  console.log("floor answers are byte-identical; statements per request:", statements);

  const floorRps: Record<string, number> = {};
  for (const query of QUERY_NAMES) {
    for (const c of CONCURRENCY) {
      await load(floor.url, query, c, 2, slugsFor(query, articleSlugs, tagSlugs));
      floorRps[`${query}@${c}`] = (await load(floor.url, query, c, SECONDS, slugsFor(query, articleSlugs, tagSlugs))).rps;
      console.log(`floor ${query} c=${c}: ${floorRps[`${query}@${c}`].toFixed(0)} req/s`);
      if (floorRps[`${query}@${c}`] < 1) throw new Error(`the floor answered no ${query} requests: a query plan went wrong; no ratio can be computed`);
    }
  }
  await floor.stop();

  const rows: ResultRow[] = [];
  for (const cache of ["off", "warm"] as const) {
    const server = await startServer(dbFile, { NODE_ENV: "production", RESPONSE_CACHE: cache === "off" ? "off" : "memory" });
    for (const query of QUERY_NAMES) {
      const slugs = slugsFor(query, articleSlugs, tagSlugs);
      for (const c of CONCURRENCY) {
        await load(server.url, query, c, 2, slugs); // warm-up (and, with the cache on, fills it)
        const result = await load(server.url, query, c, SECONDS, slugs);
        const f = floorRps[`${query}@${c}`];
        const row: ResultRow = {
          query,
          concurrency: c,
          cache,
          rps: Math.round(result.rps),
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          statements: cache === "off" ? statements[query] : 0,
          floorRps: Math.round(f),
          ratio: Number((result.rps / f).toFixed(3)),
          peakRssMb: peakRssMb(server.child),
        };
        if (result.non2xx || result.errors) console.warn(`  ${result.non2xx} non-2xx, ${result.errors} errors`);
        rows.push(row);
        console.log(`ours ${query} c=${c} cache=${cache}: ${row.rps} req/s (floor ${row.floorRps}, ratio ${row.ratio}), p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms`);
      }
    }
    await server.stop();
  }

  const ablation: { layer: string; query: BenchQuery; rps: number }[] = [];
  if (ABLATION) {
    const variants: [string, Record<string, string>][] = [
      ["sqlite3 driver", { SQLITE_DRIVER: "sqlite3" }],
      ["better-sqlite3 driver (default)", { SQLITE_DRIVER: "better-sqlite3" }],
      ["simpleResolvers off", { GRAPHQL_SIMPLE_RESOLVERS: "off" }],
      ["simpleResolvers on", { GRAPHQL_SIMPLE_RESOLVERS: "on" }],
      ["response cache off", { RESPONSE_CACHE: "off" }],
      ["response cache on (warm)", { RESPONSE_CACHE: "memory" }],
    ];
    for (const [layer, env] of variants) {
      const server = await startServer(dbFile, { NODE_ENV: "production", RESPONSE_CACHE: "off", ...env });
      for (const query of QUERY_NAMES) {
        const slugs = slugsFor(query, articleSlugs, tagSlugs);
        await load(server.url, query, 50, 1, slugs);
        const result = await load(server.url, query, 50, Math.max(3, Math.round(SECONDS / 2)), slugs);
        ablation.push({ layer, query, rps: Math.round(result.rps) });
        console.log(`ablation ${layer} ${query}: ${Math.round(result.rps)} req/s`);
      }
      await server.stop();
    }
  }

  const workerRows = await measureWorkers(dbFile);

  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const md = [
    "# Benchmark results",
    "",
    `Machine: ${machine}. Database: ${ARTICLES} synthetic articles, 500 authors, 1,000 tags (SQLite file).`,
    `Each figure: autocannon in its own process, ${SECONDS} s after a warm-up; the floor is bench/floor-server.ts (node:http + better-sqlite3 prepared statements, byte-identical JSON). Run: ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s in all.`,
    "",
    "| query | concurrency | cache | req/s | floor req/s | ratio | p50 ms | p99 ms | SQL statements | peak RSS MB |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.query} | ${r.concurrency} | ${r.cache} | ${r.rps} | ${r.floorRps} | ${r.ratio.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.statements || "–"} | ${r.peakRssMb} |`),
    "",
    ...(ablation.length
      ? [
          "## Layer ablation (concurrency 50, req/s)",
          "",
          "| layer | article | home | tag |",
          "|---|---|---|---|",
          ...[...new Set(ablation.map((a) => a.layer))].map(
            (layer) => `| ${layer} | ${QUERY_NAMES.map((q) => ablation.find((a) => a.layer === layer && a.query === q)?.rps ?? "–").join(" | ")} |`,
          ),
          "",
        ]
      : []),
    ...workersSection(workerRows),
  ].join("\n");
  fs.writeFileSync(path.join(root, "bench/results.md"), md);
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
