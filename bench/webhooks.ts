/**
 * `npm run bench:webhooks -- [--events 50] [--postgres]`: how soon a receiver hears about a
 * commit. Runs the real server in this process on a fresh database (SQLite file by default;
 * with --postgres a database it creates and drops on TEST_POSTGRES_URL), loads seeds/, creates
 * one webhook endpoint on a node:http receiver on 127.0.0.1, then edits live articles over
 * GraphQL one at a time. For each edit it takes the instant the write transaction committed
 * (a commit listener registered before the server's own) and the instant the receiver had the
 * whole request, and prints p50/p90/p99/max of the difference. Target: p50 under 100 ms.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/data-source";
import { onWriteCommitted } from "../src/db/write-lock";
import { createApp } from "../src/http/server";
import { importPages } from "../src/import/importer";
import { createToken } from "../src/services/token.service";
import { Role } from "../src/viewer";

const root = path.resolve(__dirname, "..", "..");
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const EVENTS = option("events", 50);
const WARMUP = 5;
const POSTGRES = argv.includes("--postgres");
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (ms: number) => Math.round(ms * 10) / 10;

async function main() {
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  if (POSTGRES) {
    const name = `content_bench_${randomBytes(6).toString("hex")}`;
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "content-bench-webhooks-"));
    databaseUrl = `sqlite:${path.join(dir, "content.sqlite")}`;
    dropDatabase = async () => fs.rmSync(dir, { recursive: true, force: true });
  }

  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0" });
  const dataSource = await openDatabase(config.database);
  await importPages(dataSource, [path.join(root, "seeds")]);
  const admin = { authorization: `Bearer ${(await createToken(dataSource, "console", { name: "bench admin", role: Role.ADMIN }, new Date())).secret}` };
  const editor = { authorization: `Bearer ${(await createToken(dataSource, "console", { name: "bench editor", role: Role.EDITOR }, new Date())).secret}` };

  // Registered before the server's listeners, so this is the first thing that runs after each commit.
  const commits: number[] = [];
  onWriteCommitted((ds, events) => {
    if (ds === dataSource && events.some((e) => e.type === "article.updated")) commits.push(performance.now());
  });

  const arrivals: number[] = [];
  let notify: (() => void) | null = null;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      arrivals.push(performance.now());
      res.writeHead(204).end();
      notify?.();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", () => resolve()));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

  const app = await createApp({ config, dataSource });
  const port = await app.listen(0, "127.0.0.1");
  const gql = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };

  await gql(`mutation ($url: String!) { createWebhook(input: { url: $url, events: [ARTICLE_UPDATED] }) { webhook { id } } }`, { url: receiverUrl }, admin);
  const ids: string[] = (await gql(`{ articles(first: 100) { nodes { id } } }`, {}, {})).articles.nodes.map((n: { id: string }) => n.id);

  const latencies: number[] = [];
  const roundTrips: number[] = [];
  for (let i = 0; i < WARMUP + EVENTS; i++) {
    const arrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`event ${i} did not arrive within 10 s`)), 10_000);
      notify = () => {
        if (arrivals.length > i) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    const sentAt = performance.now();
    await gql(`mutation ($id: ID!, $lead: String!) { updateArticle(id: $id, input: { lead: $lead }) { id } }`, { id: ids[i % ids.length], lead: `Pembaruan ${i}.` }, editor);
    const answeredAt = performance.now();
    await arrived;
    if (i < WARMUP) continue;
    latencies.push(arrivals[i] - commits[i]);
    roundTrips.push(answeredAt - sentAt);
  }

  await app.close();
  await dataSource.destroy();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await dropDatabase();

  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    database: POSTGRES ? "postgres" : `sqlite (${config.database.type === "sqlite" ? config.database.driver : ""})`,
    events: EVENTS,
    commitToReceiverMs: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1]) },
    mutationRoundTripP50Ms: round([...roundTrips].sort((a, b) => a - b)[Math.floor(roundTrips.length / 2)]),
    target: "p50 < 100 ms",
  };
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
