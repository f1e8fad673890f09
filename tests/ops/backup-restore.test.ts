import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { loadConfig } from "../../src/config";
import { openSqliteFile } from "../../src/ops/sqlite-file";
import { serverPidFile } from "../../src/ops/server-lock";
import { createToken } from "../../src/services/token.service";
import { Role } from "../../src/viewer";
import { PROJECT_ROOT, tempDir, withDatabase } from "../support/seed-cli";
import { postGraphQL, spawnServer, type SpawnedServer } from "../support/spawn";

const BACKUP = path.join(__dirname, "../../src/cli/backup.js");
const RESTORE = path.join(__dirname, "../../src/cli/restore.js");
const driver = () => loadConfig(process.env).database;

function runCli(command: string, args: string[], databaseUrl: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [command, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(new Error(error.message, { cause: error }));
      resolve({ status: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** An editor token written into the database before any server opens it. */
async function editorToken(dbFile: string): Promise<string> {
  return withDatabase(dbFile, async (ds) => (await createToken(ds, "console", { name: "backup test", role: Role.EDITOR }, new Date())).secret);
}

/** The checks the restore command claims to run, run again here on the file it produced. */
async function checkFile(file: string) {
  const database = driver();
  const db = await openSqliteFile(file, { driver: database.type === "sqlite" ? database.driver : "better-sqlite3" });
  try {
    assert.deepEqual(await db.all("PRAGMA integrity_check"), [{ integrity_check: "ok" }]);
    await db.run(`INSERT INTO article_search(article_search) VALUES ('integrity-check')`);
    return await db.all<{ id: number; title: string; status: string }>("SELECT id, title, status FROM articles");
  } finally {
    await db.close();
  }
}

const CREATE = `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id slug } }`;
const PUBLISH = `mutation ($id: ID!) { publishArticle(id: $id) { id status } }`;

describe("online backup and restore (SQLite)", () => {
  const dir = tempDir("backup");
  const dbFile = path.join(dir, "live.sqlite");
  const backupFile = path.join(dir, "copy.sqlite");
  const restoredFile = path.join(dir, "restored.sqlite");
  const servers: SpawnedServer[] = [];
  after(() => {
    for (const server of servers) server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a backup taken during 200 mutations at concurrency 20 restores to a checked copy holding every acknowledged article, and a server serves them", async () => {
    const secret = await editorToken(dbFile);
    const auth = { authorization: `Bearer ${secret}` };
    const live = await spawnServer({ DATABASE_URL: `sqlite:${dbFile}` });
    servers.push(live);
    const publishedAtStart = JSON.parse((await postGraphQL(live.base, "{ articles { totalCount } }")).text).data.articles.totalCount;

    // 100 articles, each created then published: 200 mutations, 20 at a time.
    const created = new Map<number, { id: string; slug: string; title: string }>();
    const published = new Set<number>();
    let acknowledged = 0;
    let backupRun: Promise<{ status: number; stdout: string; stderr: string }> | null = null;
    let atBackupStart: { created: Map<number, { id: string; slug: string; title: string }>; published: Set<number> } | null = null;
    let afterBackupStart = 0;
    const startBackupAt = 60;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < 100; i = next++) {
        const title = `Operasi cadangan nomor ${i}`;
        const made = await postGraphQL(live.base, CREATE, { input: { title, lead: `Lead ${i}.`, body: `Paragraf ${i}.\n\nParagraf kedua.`, authorSlug: "arpan-rachman", tagSlugs: ["operasi-cadangan"] } }, auth);
        const article = JSON.parse(made.text).data?.createArticle;
        assert.ok(article, made.text);
        created.set(i, { ...article, title });
        acknowledged += 1;
        if (backupRun) afterBackupStart += 1;
        const done = await postGraphQL(live.base, PUBLISH, { id: article.id }, auth);
        assert.equal(JSON.parse(done.text).data?.publishArticle?.status, "PUBLISHED", done.text);
        published.add(i);
        acknowledged += 1;
        if (backupRun) afterBackupStart += 1;
        if (!backupRun && acknowledged >= startBackupAt) {
          // What the server has acknowledged when the backup starts is what the copy must hold.
          atBackupStart = { created: new Map(created), published: new Set(published) };
          backupRun = runCli(BACKUP, [backupFile, "--json"], `sqlite:${dbFile}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    assert.equal(acknowledged, 200);
    const backup = await backupRun!;
    assert.equal(backup.status, 0, backup.stderr);
    assert.ok(afterBackupStart > 0, "mutations went on after the backup started");
    const report = JSON.parse(backup.stdout);
    assert.equal(report.file, backupFile);
    assert.equal(report.bytes, fs.statSync(backupFile).size);
    const { created: createdBefore, published: publishedBefore } = atBackupStart!;
    assert.ok(report.articles >= createdBefore.size);

    // Restore refuses while the live server holds its database, and leaves it alone.
    const refused = await runCli(RESTORE, [backupFile], `sqlite:${dbFile}`);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`restore refused: a server \\(pid ${live.child.pid}\\) is running`));
    assert.equal(JSON.parse((await postGraphQL(live.base, "{ articles { totalCount } }")).text).data.articles.totalCount, publishedAtStart + 100);

    const restored = await runCli(RESTORE, [backupFile, "--json"], `sqlite:${restoredFile}`);
    assert.equal(restored.status, 0, restored.stderr);
    const restoreReport = JSON.parse(restored.stdout);
    assert.equal(restoreReport.integrity, "ok");
    assert.equal(restoreReport.searchIndex, "ok");
    assert.equal(restoreReport.previous, null);

    const rows = await checkFile(restoredFile);
    const byTitle = new Map(rows.map((r) => [r.title, r]));
    for (const [i, article] of createdBefore) {
      const row = byTitle.get(article.title);
      assert.ok(row, `article ${i} (acknowledged before the backup) is in the copy`);
      assert.equal(String(row.id), article.id);
      if (publishedBefore.has(i)) assert.equal(row.status, "published");
    }

    // A server on the restored copy serves them, to the editor and (published ones) to anyone.
    const copy = await spawnServer({ DATABASE_URL: `sqlite:${restoredFile}` });
    servers.push(copy);
    for (const article of createdBefore.values()) {
      const response = await postGraphQL(copy.base, `query ($slug: String!) { article(slug: $slug) { id title } }`, { slug: article.slug }, auth);
      assert.deepEqual(JSON.parse(response.text).data.article, { id: article.id, title: article.title }, response.text);
    }
    const search = JSON.parse((await postGraphQL(copy.base, `{ search(query: "cadangan", first: 1) { totalCount } }`)).text);
    assert.ok(search.data.search.totalCount >= publishedBefore.size, JSON.stringify(search));

    // Restore also refuses while any process has the file open, pid file or not.
    fs.rmSync(serverPidFile(restoredFile), { force: true });
    const openElsewhere = await runCli(RESTORE, [backupFile], `sqlite:${restoredFile}`);
    assert.equal(openElsewhere.status, 1);
    assert.match(openElsewhere.stderr, /is open in another process/);

    for (const server of [live, copy]) {
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0);
    }
    assert.equal(fs.existsSync(serverPidFile(dbFile)), false, "the pid file went with the server");

    // Stopped: now the live database can be replaced; the old one is kept beside it.
    const liveRows = (await checkFile(dbFile)).length;
    const replaced = await runCli(RESTORE, [backupFile, "--json"], `sqlite:${dbFile}`);
    assert.equal(replaced.status, 0, replaced.stderr);
    const replacedReport = JSON.parse(replaced.stdout);
    assert.ok(replacedReport.previous && fs.existsSync(replacedReport.previous));
    assert.equal((await checkFile(dbFile)).length, report.articles);
    assert.equal((await checkFile(replacedReport.previous)).length, liveRows);
  });

  test("a damaged backup is refused and the database is left as it was", async () => {
    const target = path.join(dir, "untouched.sqlite");
    await editorToken(target);
    const before = fs.readFileSync(target);
    const damaged = path.join(dir, "damaged.sqlite");
    fs.copyFileSync(backupFile, damaged);
    // Overwrite a b-tree page header with nonsense cell pointers.
    const fd = fs.openSync(damaged, "r+");
    fs.writeSync(fd, Buffer.from([0x0d, 0, 0, 0, 9, 0x0f, 0, 0, ...Array(18).fill(0xf0)]), 0, 26, 4096 * 3);
    fs.closeSync(fd);
    const result = await runCli(RESTORE, [damaged], `sqlite:${target}`);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /restore refused: the backup fails PRAGMA integrity_check/);
    assert.ok(fs.readFileSync(target).equals(before));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes("restoring")), []);
  });

  test("usage errors and an existing backup file are refused", async () => {
    assert.equal((await runCli(BACKUP, [], `sqlite:${dbFile}`)).status, 2);
    const exists = await runCli(BACKUP, [backupFile], `sqlite:${dbFile}`);
    assert.equal(exists.status, 1);
    assert.match(exists.stderr, /already exists/);
    const notSqlite = path.join(dir, "notes.txt");
    fs.writeFileSync(notSqlite, "hello");
    const wrong = await runCli(RESTORE, [notSqlite], `sqlite:${dbFile}`);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /is not a SQLite database/);
  });

  test("on PostgreSQL both commands explain pg_dump / pg_restore and exit non-zero without connecting", async () => {
    const url = "postgres://nobody@127.0.0.1:1/none";
    const backup = await runCli(BACKUP, [path.join(dir, "pg.dump")], url);
    assert.equal(backup.status, 2);
    assert.match(backup.stderr, /pg_dump --format=custom --file=\S+pg\.dump "\$DATABASE_URL"/);
    const restore = await runCli(RESTORE, [path.join(dir, "pg.dump")], url);
    assert.equal(restore.status, 2);
    assert.match(restore.stderr, /pg_restore --clean --if-exists --no-owner --dbname="\$DATABASE_URL" \S+pg\.dump/);
    assert.equal(fs.existsSync(path.join(dir, "pg.dump")), false);
  });
});
