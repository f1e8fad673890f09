/**
 * `npm run bench:feeds`: req/s of GET /feeds/rss.xml (50 items, the default) on a synthetic
 * database, with the feed cache off (every request reads and renders: "cold") and warm, each
 * followed by GraphQL's home page query as a reference taken in the same conditions.
 * Writes bench/feeds-results.md.
 *
 *   npm run bench:feeds -- [--articles 20000] [--seconds 8] [--connections 10]
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { HOME_PAGE } from "./queries";
import { startCommandArgs } from "./start-command";

const root = path.resolve(__dirname, "..", "..");
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const ARTICLES = option("articles", 20_000);
const SECONDS = Math.min(option("seconds", 8), 10);
const CONNECTIONS = option("connections", 10);
const PATHS = ["/feeds/rss.xml"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startServer(dbFile: string, port: number, cache: "off" | "memory"): Promise<ChildProcess> {
  const child = spawn(process.execPath, startCommandArgs(root), {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${dbFile}`,
      PORT: String(port),
      NODE_ENV: "production",
      LOG_LEVEL: "silent",
      RESPONSE_CACHE: cache,
      PUBLIC_SITE_URL: "https://news.example.id",
      RATE_LIMIT_ADDRESS_PER_MINUTE: "0",
      RATE_LIMIT_TOKEN_PER_MINUTE: "0",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (const started = Date.now(); Date.now() - started < 30_000; await sleep(100)) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      /* not up yet */
    }
  }
  child.kill("SIGKILL");
  throw new Error("server did not come up");
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

/** GET a path, or POST a GraphQL document (the reference row: the home page query at the same moment). */
function load(url: string, seconds: number, graphql?: string) {
  const request = graphql ? { method: "POST" as const, headers: { "content-type": "application/json" }, body: JSON.stringify({ query: graphql }) } : {};
  return new Promise<{ rps: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number; bytes: number }>((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: seconds, ...request }, (error, result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      resolve({
        rps: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        bytes: Math.round(result.throughput.average / Math.max(1, result.requests.average)),
      });
    });
  });
}

async function main() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "feeds-bench-"));
  const dbFile = path.join(workDir, "bench.sqlite");
  console.log(`seeding ${ARTICLES} synthetic articles into ${dbFile}`);
  execFileSync(process.execPath, [path.join(root, "dist/src/cli/seed.js"), "--synthetic", String(ARTICLES), "--authors", "500", "--tags", "1000"], {
    env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}` },
    stdio: "inherit",
  });

  const rows: string[] = [];
  let port = 4700 + Math.floor(Math.random() * 200);
  for (const cache of ["off", "memory"] as const) {
    const server = await startServer(dbFile, port, cache);
    for (const p of PATHS) {
      const url = `http://127.0.0.1:${port}${p}`;
      const check = await fetch(url);
      if (check.status !== 200) throw new Error(`${p} answered ${check.status}`);
      await load(url, 1); // warm-up (and, with the cache on, fills it)
      const r = await load(url, SECONDS);
      if (r.non2xx || r.errors) console.warn(`  ${r.non2xx} non-2xx, ${r.errors} errors`);
      const label = cache === "off" ? "cold (cache off)" : "warm";
      console.log(`${p} ${label}: ${r.rps} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.bytes} bytes`);
      rows.push(`| ${p} | ${label} | ${r.rps} | ${r.p50Ms} | ${r.p99Ms} | ${r.bytes} |`);
    }
    // The machine is shared and loads vary by the minute: GraphQL's home page (20 cards) measured
    // right after, in the same conditions, says what the feed figures mean.
    const graphql = `http://127.0.0.1:${port}/graphql`;
    await load(graphql, 1, HOME_PAGE);
    const ref = await load(graphql, SECONDS, HOME_PAGE);
    const label = cache === "off" ? "cold (cache off)" : "warm";
    console.log(`reference: GraphQL home page ${label}: ${ref.rps} req/s, p50 ${ref.p50Ms} ms, p99 ${ref.p99Ms} ms`);
    rows.push(`| reference: POST /graphql HomePage (20 cards) | ${label} | ${ref.rps} | ${ref.p50Ms} | ${ref.p99Ms} | ${ref.bytes} |`);
    await stop(server);
    port += 1;
  }

  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}`;
  const md = [
    "# Feed benchmark",
    "",
    `Machine: ${machine}, shared with other work (figures are noisy). Database: ${ARTICLES} synthetic articles, 500 authors, 1,000 tags (SQLite file).`,
    `autocannon, ${CONNECTIONS} connections, ${SECONDS} s after a 1 s warm-up, NODE_ENV=production. Cold: RESPONSE_CACHE=off (every request runs its 2 statements and renders). Run: ${new Date().toISOString()}.`,
    "",
    "| path | cache | req/s | p50 ms | p99 ms | bytes |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(root, "bench/feeds-results.md"), md);
  console.log(`\n${md}`);
  fs.rmSync(workDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
