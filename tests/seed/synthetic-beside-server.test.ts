import { TEST_ENGINE, tempSqliteFile } from "../support/database";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { bearer, Role } from "../support/editorial";
import { makeAuthor, makeTag } from "../support/factories";
import { createPostgresDatabase, exited, postgresAnswers, processEnv } from "../support/processes";
import { PROJECT_ROOT, SEED_COMMAND } from "../support/seed-cli";
import { startTestServer, type TestServer } from "../support/server";

const SYNTHETIC = 3_000;
const CONCURRENCY = 4;

/**
 * `npm run seed -- --synthetic N` while a live server takes mutations on the same database:
 * both sides get every write in (the generator used to reserve its ids once at the start and
 * abort with `UNIQUE constraint failed: articles.id` as soon as the server created an article).
 */
async function seedBesideMutations(server: TestServer, databaseUrl: string): Promise<void> {
  const author = await makeAuthor(server.dataSource, { slug: "penulis-langsung" });
  await makeTag(server.dataSource, { slug: "langsung" });
  const editor = (await bearer(server, Role.EDITOR)).headers;

  const seed = spawn(process.execPath, [SEED_COMMAND, "--synthetic", String(SYNTHETIC), "--authors", "30", "--tags", "60", "--seed", "3"], {
    cwd: PROJECT_ROOT,
    env: processEnv(databaseUrl),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  seed.stdout.on("data", (chunk) => (output += chunk));
  seed.stderr.on("data", (chunk) => (output += chunk));
  const seedExit = exited(seed, 180_000);
  let running = true;
  void seedExit.then(() => (running = false));

  const outcomes: string[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (running) {
        const i = n++;
        const res = await server.gql(
          `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id } }`,
          { input: { title: `Berita langsung ${i}`, lead: "Lead.", body: "Isi.", authorSlug: author.slug, tagSlugs: ["langsung"] } },
          editor,
        );
        outcomes.push(res.body.errors ? String(res.body.errors[0].extensions?.code ?? res.status) : "ok");
      }
    }),
  );

  assert.equal(await seedExit, 0, output);
  assert.match(output, new RegExp(`^created ${SYNTHETIC} synthetic articles`, "m"));
  assert.ok(outcomes.length > 0);
  assert.deepEqual(outcomes.filter((o) => o !== "ok"), [], "every mutation beside the seed run succeeded");
  const [row] = await server.dataSource.query(`SELECT
    (SELECT COUNT(*) FROM articles) AS articles,
    (SELECT COUNT(*) FROM articles WHERE author_id = ${author.id}) AS mine,
    (SELECT COUNT(DISTINCT slug) FROM articles) AS slugs`);
  assert.equal(Number(row.mine), outcomes.length);
  assert.equal(Number(row.articles), SYNTHETIC + outcomes.length);
  assert.equal(Number(row.slugs), Number(row.articles));
  console.log(`synthetic beside a server: ${SYNTHETIC} synthetic articles and ${outcomes.length} createArticle mutations, all written`);
}

describe("seed --synthetic beside a live server", async () => {
  const pgAvailable = await postgresAnswers();

  it("SQLite file: the generator and the server's mutations both get every write in", { skip: TEST_ENGINE === "postgres" ? "runs in the SQLite pass" : false }, async () => {
    const dbFile = tempSqliteFile("synthetic-live");
    const server = await startTestServer({ dbFile });
    try {
      await seedBesideMutations(server, `sqlite:${dbFile}`);
    } finally {
      await server.close();
    }
  });

  describe("PostgreSQL", () => {
    let database: { url: string; drop(): Promise<void> } | undefined;
    before(async () => {
      if (pgAvailable) database = await createPostgresDatabase("synthetic");
    });
    after(async () => {
      await database?.drop();
    });

    it("PostgreSQL database: the generator and the server's mutations both get every write in", { skip: !pgAvailable && "no PostgreSQL answers at TEST_POSTGRES_URL" }, async () => {
      const server = await startTestServer({ databaseUrl: database!.url });
      try {
        await seedBesideMutations(server, database!.url);
      } finally {
        await server.close();
      }
    });
  });
});
