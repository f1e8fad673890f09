/**
 * `npm run soak -- [--minutes 10] [--rate 50] [--articles 20000] [--db FILE]`: a long run at a
 * fixed request rate against the production server on a synthetic database, to show that
 * memory and latency stay flat. The mix is what a news site sees: article pages (popular ones
 * far more often), the home page, tag pages and searches, all anonymous, plus one edit per
 * second through an editor token (each edit moves the content version, so the response cache
 * starts over every second: the server is measured mostly uncached). Every 10 s it samples the
 * server's RSS (/proc), heap and event-loop delay (its own /metrics), and the window's p50/p99,
 * errors and 5xx. Writes bench/soak.md with a table and bench/soak.svg (RSS and p99 over time).
 *
 * Open loop: requests start on schedule whether or not earlier ones have finished, so a slow
 * server shows up as latency and errors instead of being politely waited for. At most
 * `--max-in-flight` (default 500) requests are outstanding; a request that would exceed it is
 * counted as an error ("client gave up").
 *
 * Targets: no errors, no 5xx, RSS at the end within 10% of RSS at minute 2, p99 flat.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { betterSqlite3 } from "../src/db/better-sqlite3";
import { randomSource, zipfSampler } from "../src/tooling/synthetic";
import { QUERIES } from "./queries";
import { startCommandArgs } from "./start-command";

const root = path.resolve(__dirname, "..", "..");
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
};
const MINUTES = option("minutes", 10);
const RATE = option("rate", 50);
const ARTICLES = option("articles", 20_000);
const MAX_IN_FLIGHT = option("max-in-flight", 500);
const SAMPLE_SECONDS = 10;
const REQUEST_TIMEOUT_MS = 10_000;
const dbArg = argv.indexOf("--db") >= 0 ? path.resolve(argv[argv.indexOf("--db") + 1]) : null;
/** Output name: bench/<out>.md and bench/<out>.svg. */
const OUT = argv.indexOf("--out") >= 0 ? argv[argv.indexOf("--out") + 1] : "soak";
if (!/^[a-z0-9-]+$/.test(OUT)) throw new Error("--out takes a plain name such as soak-cache-off");
/** Server settings taken from this environment (e.g. RESPONSE_CACHE=off), recorded in the report. */
const SERVER_OVERRIDES = Object.entries(process.env).filter(([k]) => /^(RESPONSE_CACHE|CACHE_MAX_AGE_SECONDS|SQLITE_DRIVER)/.test(k));

const SEARCH = `query Search($q: String!) { search(query: $q, first: 10) { totalCount nodes { snippet article { slug title publishedAtText } } } }`;
const EDIT = `mutation Edit($id: ID!, $lead: String!) { updateArticle(id: $id, input: { lead: $lead }) { id updatedAt } }`;

type Kind = "article" | "home" | "tag" | "search";
/** Shares of the anonymous traffic. */
const MIX: [Kind, number][] = [
  ["article", 0.5],
  ["home", 0.15],
  ["tag", 0.25],
  ["search", 0.1],
];

interface Sample {
  t: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  status5xx: number;
  writes: number;
  writeErrors: number;
  rssMb: number;
  heapMb: number;
  cacheEntries: number;
  eventLoopP99Ms: number;
  inFlight: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const random = randomSource(20240601);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rssMbOf(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return 0;
  }
}

function prepareDatabase(): string {
  const file = dbArg ?? path.join(os.tmpdir(), `content-soak-${ARTICLES}.sqlite`);
  if (fs.existsSync(file)) {
    const db = new (betterSqlite3())(file, { readonly: true });
    const { n } = db.prepare("SELECT COUNT(*) AS n FROM articles").get() as { n: number };
    db.close();
    if (n >= ARTICLES) {
      console.log(`reusing ${file} (${n} articles)`);
      return file;
    }
    throw new Error(`${file} has ${n} articles, fewer than --articles ${ARTICLES}; remove it or pass another --db`);
  }
  console.log(`seeding ${ARTICLES} synthetic articles into ${file}`);
  execFileSync(process.execPath, [path.join(root, "dist/src/cli/seed.js"), "--synthetic", String(ARTICLES), "--authors", "500", "--tags", "1000"], {
    env: { ...process.env, DATABASE_URL: `sqlite:${file}` },
    stdio: "inherit",
  });
  return file;
}

async function startServer(dbFile: string, port: number, metricsToken: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, startCommandArgs(root), {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: `sqlite:${dbFile}`,
      PORT: String(port),
      METRICS_TOKEN: metricsToken,
      // One client address sends everything, standing for many readers; the limiter and the
      // per-client cap on searches in flight would refuse what many clients may send.
      RATE_LIMIT_ADDRESS_PER_MINUTE: "0",
      RATE_LIMIT_TOKEN_PER_MINUTE: "0",
      RATE_LIMIT_EXPENSIVE_CONCURRENCY: "0",
      WEB_CONCURRENCY: "1",
    },
    // The request log goes to SOAK_LOG (or nowhere), but the server writes it either way, as in production.
    stdio: ["ignore", process.env.SOAK_LOG ? fs.openSync(process.env.SOAK_LOG, "w") : "ignore", "inherit"],
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return child;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await sleep(100);
  }
  throw new Error("server did not become ready in 60 s");
}

async function scrapeMetrics(base: string, token: string): Promise<{ heapMb: number; eventLoopP99Ms: number; cacheEntries: number }> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) })).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  return {
    heapMb: Math.round(value("nodejs_heap_size_used_bytes") / 104857.6) / 10,
    eventLoopP99Ms: Math.round(value("nodejs_eventloop_lag_p99_seconds") * 10000) / 10,
    cacheEntries: value("response_cache_entries"),
  };
}

function chart(samples: Sample[]): string {
  const width = 760;
  const panel = 200;
  const left = 60;
  const right = 20;
  const gap = 50;
  const top = 30;
  const maxT = Math.max(...samples.map((s) => s.t), 1);
  const x = (t: number) => left + ((width - left - right) * t) / maxT;
  const panels: { title: string; unit: string; values: number[]; color: string }[] = [
    { title: "Server RSS", unit: "MB", values: samples.map((s) => s.rssMb), color: "#1f77b4" },
    { title: "p99 latency (10 s windows)", unit: "ms", values: samples.map((s) => s.p99Ms), color: "#d62728" },
  ];
  const parts: string[] = [];
  panels.forEach((p, index) => {
    const y0 = top + index * (panel + gap);
    const max = Math.max(...p.values, 1) * 1.15;
    const y = (v: number) => y0 + panel - (panel * v) / max;
    parts.push(`<text x="${left}" y="${y0 - 10}" font-size="14" font-weight="bold">${p.title} (${p.unit})</text>`);
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
      parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`);
    }
    for (let minute = 0; minute <= Math.floor(maxT / 60); minute++) {
      const xm = x(minute * 60).toFixed(1);
      parts.push(`<line x1="${xm}" x2="${xm}" y1="${y0}" y2="${y0 + panel}" stroke="#eee"/>`);
      parts.push(`<text x="${xm}" y="${y0 + panel + 14}" font-size="11" text-anchor="middle">${minute} min</text>`);
    }
    parts.push(`<rect x="${left}" y="${y0}" width="${width - left - right}" height="${panel}" fill="none" stroke="#999"/>`);
    const points = samples.map((s, i) => `${x(s.t).toFixed(1)},${y(p.values[i]).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${p.color}" stroke-width="2" points="${points}"/>`);
  });
  const height = top + panels.length * (panel + gap);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}

async function main() {
  const started = new Date();
  const loadBefore = os.loadavg();
  const dbFile = prepareDatabase();
  const db = new (betterSqlite3())(dbFile, { readonly: true });
  const now = new Date().toISOString().replace("T", " ").replace("Z", "");
  const articles = db.prepare(`SELECT id, slug, title FROM articles WHERE status = 'published' AND deleted_at IS NULL AND published_at <= ? ORDER BY random() LIMIT 2000`).all(now) as { id: number; slug: string; title: string }[];
  const tags = (db.prepare(`SELECT slug FROM tags ORDER BY live_count DESC LIMIT 300`).all() as { slug: string }[]).map((r) => r.slug);
  db.close();
  // What readers type: mostly a few words of a headline they half remember, sometimes one word.
  // (A single word of the synthetic vocabulary matches most of the archive: the costly case.)
  const titleWords = articles.map((a) => a.title.split(/\s+/).filter((w) => /^\p{L}{3,}$/u.test(w)));
  const searches = titleWords.filter((w) => w.length >= 3).flatMap((w, i) => (i % 10 < 5 ? [`"${w.slice(0, 2).join(" ")}"`] : i % 10 < 8 ? [`"${w.slice(0, 3).join(" ")}"`] : [w[w.length - 1]]));
  if (!articles.length || !tags.length || !searches.length) throw new Error("the database has no published articles, tags or titles to search for");

  const secret = execFileSync(process.execPath, [path.join(root, "dist/src/cli/token.js"), "create", "--name", `soak ${started.toISOString()}`, "--role", "EDITOR"], {
    env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}` },
    stdio: ["ignore", "pipe", "ignore"],
  })
    .toString()
    .trim();
  const metricsToken = randomBytes(24).toString("hex");
  const port = 4900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(dbFile, port, metricsToken);
  console.log(`server pid ${server.pid} on ${base}; ${RATE} req/s for ${MINUTES} min plus one edit per second`);

  // Popular articles, tags and words get most of the traffic, as on a real site.
  const pickArticle = zipfSampler(articles.length, 1.0, random);
  const pickTag = zipfSampler(tags.length, 1.0, random);
  const pickSearch = zipfSampler(searches.length, 1.0, random);
  const chooseKind = (): Kind => {
    let r = random();
    for (const [kind, share] of MIX) if ((r -= share) < 0) return kind;
    return "article";
  };
  const bodyFor = (kind: Kind): string => {
    switch (kind) {
      case "article":
        return JSON.stringify({ query: QUERIES.article.document, operationName: "ArticlePage", variables: { slug: articles[pickArticle()].slug } });
      case "home":
        return JSON.stringify({ query: QUERIES.home.document, operationName: "HomePage", variables: {} });
      case "tag":
        return JSON.stringify({ query: QUERIES.tag.document, operationName: "TagPage", variables: { slug: tags[pickTag()] } });
      case "search":
        return JSON.stringify({ query: SEARCH, operationName: "Search", variables: { q: searches[pickSearch()] } });
    }
  };

  let window = { latencies: [] as number[], errors: 0, status5xx: 0, writes: 0, writeErrors: 0 };
  const totals = { requests: 0, errors: 0, status5xx: 0, writes: 0, writeErrors: 0, gaveUp: 0 };
  const errorKinds = new Map<string, number>();
  const noteError = (what: string) => errorKinds.set(what, (errorKinds.get(what) ?? 0) + 1);
  let inFlight = 0;

  async function send(body: string, headers: Record<string, string>, isWrite: boolean) {
    if (inFlight >= MAX_IN_FLIGHT) {
      totals.gaveUp += 1;
      noteError("client gave up (too many in flight)");
      if (isWrite) window.writeErrors += 1;
      else window.errors += 1;
      return;
    }
    inFlight += 1;
    const t0 = performance.now();
    let failed: string | null = null;
    let is5xx = false;
    try {
      const response = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const text = await response.text();
      if (response.status >= 500) is5xx = true;
      if (response.status !== 200) failed = `HTTP ${response.status}`;
      else if (text.includes('"errors"')) failed = `GraphQL error ${/"code":"([A-Z_]+)"/.exec(text)?.[1] ?? "?"}`;
    } catch (error) {
      failed = (error as Error).name === "TimeoutError" ? "timeout" : `network: ${(error as Error).message}`;
    } finally {
      inFlight -= 1;
    }
    const ms = performance.now() - t0;
    if (isWrite) {
      window.writes += 1;
      totals.writes += 1;
      if (failed) {
        window.writeErrors += 1;
        totals.writeErrors += 1;
      }
    } else {
      window.latencies.push(ms);
      totals.requests += 1;
      if (failed) {
        window.errors += 1;
        totals.errors += 1;
      }
    }
    if (is5xx) {
      window.status5xx += 1;
      totals.status5xx += 1;
    }
    if (failed) noteError(`${isWrite ? "write" : "read"}: ${failed}`);
  }

  const samples: Sample[] = [];
  const t0 = performance.now();
  const durationMs = MINUTES * 60_000;
  const interval = 1000 / RATE;
  let nextRead = t0;
  let nextWrite = t0 + 1000;
  let nextSample = t0 + SAMPLE_SECONDS * 1000;
  let edits = 0;
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  while (performance.now() - t0 < durationMs) {
    const now = performance.now();
    while (nextRead <= now) {
      track(send(bodyFor(chooseKind()), {}, false));
      nextRead += interval;
    }
    if (nextWrite <= now) {
      const article = articles[Math.floor(random() * articles.length)];
      track(send(JSON.stringify({ query: EDIT, operationName: "Edit", variables: { id: String(article.id), lead: `Diperbarui ${++edits} kali oleh uji ketahanan.` } }), { authorization: `Bearer ${secret}` }, true));
      nextWrite += 1000;
    }
    if (nextSample <= now) {
      const sorted = window.latencies.sort((a, b) => a - b);
      const sample: Sample = {
        t: Math.round((nextSample - t0) / 1000),
        requests: sorted.length,
        rps: Math.round((sorted.length / SAMPLE_SECONDS) * 10) / 10,
        p50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
        p99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
        errors: window.errors,
        status5xx: window.status5xx,
        writes: window.writes,
        writeErrors: window.writeErrors,
        rssMb: rssMbOf(server.pid!),
        heapMb: NaN,
        cacheEntries: NaN,
        eventLoopP99Ms: NaN,
        inFlight,
      };
      samples.push(sample);
      // Scraped without holding up the schedule; a scrape stuck behind a backlog reads as NaN.
      track(
        scrapeMetrics(base, metricsToken)
          .then((m) => Object.assign(sample, m), () => undefined)
          .then(() => console.log(JSON.stringify(sample))),
      );
      window = { latencies: [], errors: 0, status5xx: 0, writes: 0, writeErrors: 0 };
      nextSample += SAMPLE_SECONDS * 1000;
    }
    await sleep(Math.max(0, Math.min(nextRead, nextWrite, nextSample) - performance.now()));
  }
  await Promise.race([Promise.all(pending), sleep(REQUEST_TIMEOUT_MS + 1000)]);

  server.kill("SIGTERM");
  const exitCode = await new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  // One 10 s sample catches the heap mid-collection or just after memory went back to the
  // system; the median of a minute's six samples is what "RSS at minute 2" means.
  const lastT = samples[samples.length - 1].t;
  const rss2 = median(samples.filter((s) => s.t > 60 && s.t <= 120).map((s) => s.rssMb));
  const rssEnd = median(samples.filter((s) => s.t > lastT - 60).map((s) => s.rssMb));
  const rssChange = ((rssEnd - rss2) / rss2) * 100;
  const afterWarmUp = samples.filter((s) => s.t > 120);
  const half = Math.floor(afterWarmUp.length / 2);
  const p99First = median(afterWarmUp.slice(0, half).map((s) => s.p99Ms));
  const p99Second = median(afterWarmUp.slice(half).map((s) => s.p99Ms));
  const loadAfter = os.loadavg();
  const verdict = (ok: boolean) => (ok ? "met" : "**not met**");
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}`;
  const md = [
    `# Soak test${OUT === "soak" ? "" : ` (${OUT})`}`,
    "",
    `Command: \`${SERVER_OVERRIDES.map(([k, v]) => `${k}=${v} `).join("")}npm run soak -- --minutes ${MINUTES} --rate ${RATE}${OUT === "soak" ? "" : ` --out ${OUT}`}\`. Run ${started.toISOString()}, ${MINUTES} min.`,
    `Server: \`node dist/src/main.js\`, NODE_ENV=production, one process, ${SERVER_OVERRIDES.length ? SERVER_OVERRIDES.map(([k, v]) => `${k}=${v}`).join(", ") : "default settings (response cache on, 64 MiB)"}, SQLite with ${ARTICLES.toLocaleString("en")} synthetic articles.`,
    `Load: ${RATE} anonymous requests per second on a fixed schedule (open loop), mixed ${MIX.map(([k, s]) => `${Math.round(s * 100)}% ${k}`).join(", ")} (Zipf-popular articles, tags and searches; searches are 2- or 3-word headline phrases, one in five a single headline word), plus one \`updateArticle\` per second through an editor token, which moves the content version and so empties the response cache every second.`,
    `Machine: ${machine}, shared with other work: load average ${loadBefore.map((l) => l.toFixed(1)).join(" / ")} before, ${loadAfter.map((l) => l.toFixed(1)).join(" / ")} after (1/5/15 min). Latencies include the load generator's own scheduling on the same cores.`,
    "",
    "## Result",
    "",
    "| target | measured | |",
    "|---|---|---|",
    `| no errors | ${totals.errors} read errors in ${totals.requests.toLocaleString("en")} requests, ${totals.writeErrors} write errors in ${totals.writes} edits | ${verdict(totals.errors === 0 && totals.writeErrors === 0)} |`,
    `| no 5xx | ${totals.status5xx} | ${verdict(totals.status5xx === 0)} |`,
    `| RSS at the end within 10% of RSS at minute 2 (medians of the second and the last minute) | ${rss2} MB → ${rssEnd} MB (${rssChange >= 0 ? "+" : ""}${rssChange.toFixed(1)}%) | ${verdict(Math.abs(rssChange) <= 10)} |`,
    `| p99 flat (second half within 25% + 5 ms of the first) | median of the 10 s p99s after minute 2: ${p99First} ms in the first half, ${p99Second} ms in the second | ${verdict(p99Second <= p99First * 1.25 + 5)} |`,
    "",
    `Server exit status after SIGTERM: ${exitCode}.`,
    ...(errorKinds.size ? ["", "Errors by kind: " + [...errorKinds].map(([k, n]) => `${k} × ${n}`).join("; ") + "."] : []),
    "",
    `![RSS and p99 over time](${OUT}.svg)`,
    "",
    "## Samples (every 10 s)",
    "",
    "| t (s) | req/s | p50 ms | p99 ms | errors | 5xx | edits (errors) | RSS MB | heap MB | cache entries | event-loop p99 ms | in flight |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...samples.map((s) => `| ${s.t} | ${s.rps} | ${s.p50Ms} | ${s.p99Ms} | ${s.errors} | ${s.status5xx} | ${s.writes} (${s.writeErrors}) | ${s.rssMb} | ${s.heapMb} | ${s.cacheEntries} | ${s.eventLoopP99Ms} | ${s.inFlight} |`),
    "",
  ].join("\n");
  fs.writeFileSync(path.join(root, `bench/${OUT}.md`), md);
  fs.writeFileSync(path.join(root, `bench/${OUT}.svg`), chart(samples));
  console.log(`\n${md}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
