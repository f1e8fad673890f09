import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, describe, it } from "node:test";
import { Client } from "pg";
import { migrations } from "../../src/migrations";
import { ensureDatabase, onlyOn, tempDatabaseHandle } from "../support/database";
import { MAIN_COMMAND, PROJECT_ROOT } from "../support/seed-cli";

interface Instance {
  child: ChildProcess;
  output: () => string;
  ready: Promise<string>;
  exited: Promise<number | null>;
}

/** `node dist/src/main.js` as an operator runs it, on an ephemeral port. */
function startInstance(databaseUrl: string, env: Record<string, string> = {}): Instance {
  const child = spawn(process.execPath, [MAIN_COMMAND], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: "0", NODE_ENV: "development", LOG_LEVEL: "warn", SHED_EVENT_LOOP_DELAY_MS: "0", SHED_QUEUE_DEPTH: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    // Three servers migrating, importing and starting on two shared cores: generous on purpose.
    const timer = setTimeout(() => reject(new Error(`not ready after 90 s:\n${output}`)), 90_000);
    const check = () => {
      const match = /content API ready at (http:\/\/\S+\/graphql)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${output}`));
    });
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready, exited };
}

describe("several instances on one PostgreSQL database (PostgreSQL)", onlyOn("postgres"), () => {
  const instances: Instance[] = [];
  after(() => {
    for (const instance of instances) instance.child.kill("SIGKILL");
  });

  it("three instances started at once on an empty database: one migration run, one seed load, all serve", async () => {
    const databaseUrl = await ensureDatabase(tempDatabaseHandle("instances", { empty: true }));
    instances.push(startInstance(databaseUrl), startInstance(databaseUrl), startInstance(databaseUrl));
    const urls = await Promise.all(instances.map((instance) => instance.ready));

    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows: runs } = await client.query(`SELECT name, COUNT(*)::int AS n FROM migrations GROUP BY name ORDER BY name`);
      assert.equal(runs.length, migrations.length, JSON.stringify(runs));
      assert.ok(runs.every((run) => run.n === 1), `each migration recorded once: ${JSON.stringify(runs)}`);
      const pages = fs.readdirSync(path.join(PROJECT_ROOT, "seeds")).filter((f) => f.endsWith(".txt")).length;
      const { rows: [articles] } = await client.query(`SELECT COUNT(*)::int AS n, COUNT(DISTINCT slug)::int AS slugs FROM articles`);
      assert.deepEqual(articles, { n: pages, slugs: pages }, "the sample pages, loaded once");
      const { rows: [indexed] } = await client.query(`SELECT COUNT(*)::int AS n FROM article_search`);
      assert.equal(indexed.n, pages);
    } finally {
      await client.end();
    }
    const loaders = instances.filter((instance) => /empty database: loaded \d+ articles/.test(instance.output()));
    assert.equal(loaders.length, 1, instances.map((i) => i.output()).join("\n---\n"));

    for (const url of urls) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ articles(first: 1) { totalCount } search(query: "senjata") { totalCount } }` }),
      });
      const body: any = await response.json();
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.ok(body.data.articles.totalCount >= 15, JSON.stringify(body));
      assert.ok(body.data.search.totalCount > 0, JSON.stringify(body));
    }
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("start-up against a database that does not answer", () => {
  it("prints one line naming the host (never the password) and exits non-zero", async () => {
    const port = await closedPort();
    const instance = startInstance(`postgres://editor:s3cret-pass@127.0.0.1:${port}/newsroom`);
    const code = await instance.exited;
    assert.notEqual(code, 0);
    const lines = instance.output().trim().split("\n");
    assert.equal(lines.length, 1, instance.output());
    assert.match(lines[0], new RegExp(`127\\.0\\.0\\.1:${port}/newsroom`));
    assert.match(lines[0], /cannot reach the database/);
    assert.doesNotMatch(lines[0], /s3cret|editor@/);
  });
});
