/**
 * `npm run bench:abuse`: the attacks of issue 12 against the production server on a 30,000
 * article SQLite database (synthetic), measured from outside, loopback only. Appends the figures
 * to bench/results.md (replacing the previous "Under attack" section) and stops by itself.
 *
 *   1. One attacker address sends 9 cache-missing broad searches a second; a victim address
 *      reads an article page once a second; /healthz is probed from a separate process. Victim
 *      p50/p99 during the attack, /healthz max, and the time until the victim is back to its
 *      baseline after the attacker stops.
 *   2. With the rate limiter off: 50 concurrent distinct searches; /healthz probed throughout.
 *   3. With the rate limiter off: 60 s of unique documents, each with a 90 KB unused variable;
 *      the server's RSS sampled every second.
 *
 *   npm run bench:abuse -- [--articles 30000] [--attack-seconds 20] [--flood-seconds 15] [--rss-seconds 60]
 *
 * Distinct clients are told apart by X-Forwarded-For (the server runs with TRUST_PROXY=true).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { betterSqlite3 } from "../src/db/better-sqlite3";
import { ARTICLE_PAGE } from "./queries";
import { startCommandArgs } from "./start-command";

const root = path.resolve(__dirname, "..", "..");
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ProbeResult {
  latencies: number[];
  failures: number;
}

function probe(url: string, everyMs: number, forMs: number): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, "--probe", url, String(everyMs), String(forMs)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`prober exited ${code}`))));
  });
}

// ---- helpers --------------------------------------------------------------------------------

const percentile = (values: number[], p: number) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : "–");

let nextPort = 4800;
const METRICS_TOKEN = "abuse-bench-metrics";

/**
 * The server's own event-loop delay since the last call, in ms (prom-client resets its monitor
 * on every scrape): what a request could wait inside the process. A slow probe with a small
 * figure here waited outside it, for a core the machine's other processes held.
 */
async function eventLoopMaxMs(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const seconds = Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1]);
  return seconds * 1000;
}

async function startServer(dbFile: string, env: Record<string, string>): Promise<{ child: ChildProcess; base: string; stop(): Promise<void> }> {
  const port = nextPort++;
  const child = spawn(process.execPath, startCommandArgs(root), {
    env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}`, PORT: String(port), NODE_ENV: "production", LOG_LEVEL: "warn", TRUST_PROXY: "true", METRICS_TOKEN, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {
      /* not up yet */
    }
    if (i > 600) throw new Error("server did not start");
    await sleep(100);
  }
  return {
    child,
    base,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

interface Answer {
  status: number;
  ms: number;
  code?: string;
}

async function graphql(base: string, address: string, query: string, variables: Record<string, unknown>, operationName?: string): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ query, variables, operationName }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const code = response.status === 200 ? undefined : /"code":"([A-Z_]+)"/.exec(text)?.[1];
    return { status: response.status, ms: performance.now() - started, code };
  } catch {
    return { status: 0, ms: performance.now() - started, code: "NO_ANSWER" };
  }
}

function tally(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const key = a.status === 200 ? "200" : `${a.status} ${a.code ?? ""}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort().map(([k, n]) => `${n}× ${k}`).join(", ");
}

function rssMb(pid: number): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

// Broad searches: words in nearly every article, and three-letter prefixes (the shortest
// allowed) of frequent words; the third word only varies the text so the cache always misses.
const COMMON = ["yang", "dan", "di", "untuk", "dari", "pada", "dengan", "ini", "itu", "tidak", "akan", "juga"];
const PREFIXES = ["pem", "men", "ber", "pen", "ker", "per", "mas", "har", "pol", "pro", "kam", "ban", "tan", "sel", "dia"];
const WORDS =
  "pemerintah presiden menteri warga masyarakat daerah kota provinsi desa jalan harga beras minyak pasar ekonomi politik partai pemilu suara hukum polisi hakim kasus korupsi anggaran proyek jembatan banjir gempa hujan petani nelayan sekolah guru siswa kampus dokter pasien vaksin bantuan keluarga pabrik investasi saham bank rupiah pajak ekspor energi listrik tambang hutan laut pulau wisata budaya musik film tim pemain juara teknologi data militer".split(
    " ",
  );
let searchSeq = 0;
function broadSearch(): string {
  const n = searchSeq++;
  return `${COMMON[n % COMMON.length]} ${PREFIXES[(n * 7) % PREFIXES.length]}* ${WORDS[(n * 13) % WORDS.length]}`;
}
const SEARCH = `query Search($q: String!) { search(query: $q, first: 10) { totalCount nodes { snippet article { title } } } }`;

// ---- the run --------------------------------------------------------------------------------

async function main() {
  const ARTICLES = option("articles", 30_000);
  const ATTACK_SECONDS = option("attack-seconds", 20);
  const FLOOD_SECONDS = option("flood-seconds", 15);
  const RSS_SECONDS = option("rss-seconds", 60);
  const started = Date.now();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "content-abuse-"));
  const dbFile = path.join(workDir, "abuse.sqlite");
  const lines: string[] = [];
  const report = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    console.log(`seeding ${ARTICLES} synthetic articles into ${dbFile}`);
    execFileSync(process.execPath, [path.join(root, "dist/src/cli/seed.js"), "--synthetic", String(ARTICLES), "--authors", "500", "--tags", "1000"], {
      env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}` },
      stdio: "inherit",
    });
    const db = new (betterSqlite3())(dbFile, { readonly: true });
    const now = new Date().toISOString().replace("T", " ").replace("Z", "");
    const slugs = (db.prepare(`SELECT slug FROM articles WHERE status = 'published' AND deleted_at IS NULL AND published_at <= ? ORDER BY random() LIMIT 400`).all(now) as { slug: string }[]).map((r) => r.slug);
    db.close();
    let slugSeq = 0;
    const victimRead = (base: string) => graphql(base, "192.0.2.7", ARTICLE_PAGE, { slug: slugs[slugSeq++ % slugs.length] }, "ArticlePage");

    // 1. Attacker and victim, default limits.
    server = await startServer(dbFile, {});
    for (let i = 0; i < 5; i++) await victimRead(server.base); // warm-up
    const baseline: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      baseline.push(await victimRead(server.base));
      await sleep(200);
    }
    const baselineP99 = percentile(baseline.map((a) => a.ms), 99);
    // The same probe with nothing else going on: on a shared machine this is the floor.
    const quietHealth = await probe(`${server.base}/healthz`, 100, 5_000);
    const attackProbe = probe(`${server.base}/healthz`, 100, ATTACK_SECONDS * 1000);
    const attacker: Promise<Answer>[] = [];
    const victim: Answer[] = [];
    let attacking = true;
    const attackLoop = (async () => {
      const start = performance.now();
      for (let i = 0; attacking; i++) {
        attacker.push(graphql(server.base, "198.51.100.66", SEARCH, { q: broadSearch() }, "Search"));
        await sleep(Math.max(0, start + ((i + 1) * 1000) / 9 - performance.now()));
      }
    })();
    const attackEnd = Date.now() + ATTACK_SECONDS * 1000;
    while (Date.now() < attackEnd) {
      const t = performance.now();
      victim.push(await victimRead(server.base));
      await sleep(Math.max(0, 1000 - (performance.now() - t)));
    }
    attacking = false;
    await attackLoop;
    const stoppedAt = performance.now();
    // Back to baseline: the first moment from which every victim read (10 a second for 5 s)
    // is within twice the baseline p99.
    const after: { at: number; ms: number }[] = [];
    while (performance.now() - stoppedAt < 5_000) {
      const at = performance.now() - stoppedAt;
      const answer = await victimRead(server.base);
      after.push({ at, ms: answer.status === 200 ? answer.ms : Infinity });
      await sleep(100);
    }
    const bound = Math.max(2 * baselineP99, 50);
    let recoveredAt = 0;
    for (const sample of after) if (sample.ms > bound) recoveredAt = sample.at + sample.ms;
    const attackerAnswers = await Promise.all(attacker);
    const health1 = await attackProbe;
    const victimOk = victim.filter((a) => a.status === 200).map((a) => a.ms);
    await server.stop();

    report(`### 1. Broad searches at 9/s from one address, article pages at 1/s from another (${ATTACK_SECONDS} s, default limits)`);
    report("");
    report(`| figure | value | target |`);
    report(`|---|---|---|`);
    report(`| victim baseline before the attack, p50 / p99 | ${ms(percentile(baseline.map((a) => a.ms), 50))} / ${ms(baselineP99)} | |`);
    report(`| victim during the attack, p50 / p99 (${victim.length} reads, ${victimOk.length} answered 200) | ${ms(percentile(victimOk, 50))} / ${ms(percentile(victimOk, 99))} | p99 < 250 ms |`);
    report(`| /healthz with no load, p50 / p99 / max (${quietHealth.latencies.length} probes) | ${ms(percentile(quietHealth.latencies, 50))} / ${ms(percentile(quietHealth.latencies, 99))} / ${ms(Math.max(...quietHealth.latencies))} | |`);
    report(`| /healthz during the attack, p50 / p99 / max (${health1.latencies.length} probes, ${health1.failures} failed) | ${ms(percentile(health1.latencies, 50))} / ${ms(percentile(health1.latencies, 99))} / ${ms(Math.max(...health1.latencies))} | max < 100 ms |`);
    report(`| back to baseline (every read within ${ms(bound)}) after the attacker stopped | ${ms(recoveredAt)} | < 2 s |`);
    report(`| attacker's ${attackerAnswers.length} searches | ${tally(attackerAnswers)} | |`);
    report("");

    // 2. Limiter off: 50 concurrent distinct searches.
    server = await startServer(dbFile, { RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", RATE_LIMIT_EXPENSIVE_CONCURRENCY: "0" });
    await eventLoopMaxMs(server.base);
    const floodProbe = probe(`${server.base}/healthz`, 250, FLOOD_SECONDS * 1000);
    const floodEnd = Date.now() + FLOOD_SECONDS * 1000;
    const flood: Answer[] = [];
    const pages: Answer[] = [];
    await Promise.all([
      ...Array.from({ length: 50 }, async (_, i) => {
        while (Date.now() < floodEnd) flood.push(await graphql(server!.base, `198.51.100.${100 + i}`, SEARCH, { q: broadSearch() }, "Search"));
      }),
      (async () => {
        while (Date.now() < floodEnd) {
          const t = performance.now();
          pages.push(await victimRead(server.base));
          await sleep(Math.max(0, 1000 - (performance.now() - t)));
        }
      })(),
    ]);
    const health2 = await floodProbe;
    const under100 = health2.latencies.filter((l) => l < 100).length;
    const floodLoopMax = await eventLoopMaxMs(server.base);
    await server.stop();

    report(`### 2. 50 concurrent distinct searches, rate limiter and expensive-request cap off (${FLOOD_SECONDS} s)`);
    report("");
    report(`| figure | value | target |`);
    report(`|---|---|---|`);
    report(`| /healthz probes answered in < 100 ms | ${under100} of ${health2.latencies.length + health2.failures} (p50 ${ms(percentile(health2.latencies, 50))}, p99 ${ms(percentile(health2.latencies, 99))}, max ${ms(Math.max(...health2.latencies))}) | all |`);
    report(`| the server's event-loop delay through the flood, max (its own monitor; a probe slower than this waited for a core, not for the server) | ${ms(floodLoopMax)} | |`);
    report(`| article pages at 1/s meanwhile, p50 / p99 | ${ms(percentile(pages.filter((a) => a.status === 200).map((a) => a.ms), 50))} / ${ms(percentile(pages.filter((a) => a.status === 200).map((a) => a.ms), 99))} (${tally(pages)}) | |`);
    report(`| the ${flood.length} searches | ${tally(flood)} | |`);
    report("");

    // 3. Limiter off: unique documents with a 90 KB unused variable.
    server = await startServer(dbFile, { RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0" });
    const pid = server.child.pid!;
    const rssStart = rssMb(pid);
    const pad = "x".repeat(90_000);
    let rssMax = rssStart;
    let sent = 0;
    const rssAnswers: Answer[] = [];
    const rssEnd = Date.now() + RSS_SECONDS * 1000;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 1000);
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() < rssEnd) {
          const n = sent++;
          const answer = await graphql(server!.base, "198.51.100.200", `query Unique${n} { articles(first: 1) { totalCount } }`, { pad }, `Unique${n}`);
          if (rssAnswers.length < 100_000) rssAnswers.push(answer);
        }
      }),
    );
    clearInterval(sampler);
    rssMax = Math.max(rssMax, rssMb(pid));
    const rssEndMb = rssMb(pid);
    await server.stop();

    report(`### 3. Unique documents with a 90 KB unused variable, rate limiter off (${RSS_SECONDS} s, 10 connections)`);
    report("");
    report(`| figure | value | target |`);
    report(`|---|---|---|`);
    report(`| server RSS at start / max / end | ${rssStart} / ${rssMax} / ${rssEndMb} MB | max < 400 MB |`);
    report(`| requests | ${sent} (${tally(rssAnswers)}) | |`);
    report("");
  } finally {
    await server?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), load average ${os.loadavg()[0].toFixed(1)} at the end, Node ${process.version}`;
  const section = [
    "## Under attack (npm run bench:abuse)",
    "",
    `Machine: ${machine}. Database: ${ARTICLES} synthetic articles (SQLite file). Run: ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s in all. Loopback only; clients told apart by X-Forwarded-For (TRUST_PROXY=true); production mode, default limits unless a heading says otherwise.`,
    "",
    ...lines,
  ].join("\n");
  const resultsFile = path.join(root, "bench/results.md");
  const previous = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, "utf8") : "# Benchmark results\n";
  const kept = previous.split(/\n## Under attack \(npm run bench:abuse\)\n/)[0].trimEnd();
  fs.writeFileSync(resultsFile, `${kept}\n\n${section}`);
  console.log(`\nappended to ${path.relative(root, resultsFile)}`);
}

// ---- entry: the run, or the /healthz prober in its own process (the load cannot delay it) ----

if (argv[0] === "--probe") {
  const [, url, everyMs, forMs] = argv;
  void (async () => {
    // The first fetch of a Node process loads and sets up its HTTP client: 100-140 ms that are
    // the prober's, not the server's (it was the one slow probe of every run). Pay it untimed.
    await fetch(url).then((r) => r.text(), () => undefined);
    const latencies: number[] = [];
    let failures = 0;
    const end = Date.now() + Number(forMs);
    while (Date.now() < end) {
      const started = performance.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        await response.text();
        if (response.status === 200) latencies.push(performance.now() - started);
        else failures++;
      } catch {
        failures++;
      }
      await sleep(Math.max(0, Number(everyMs) - (performance.now() - started)));
    }
    console.log(JSON.stringify({ latencies, failures }));
  })();
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
