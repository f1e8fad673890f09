import { TEST_ENGINE } from "../support/database";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { makeAuthor, makeTag } from "../support/factories";
import { bearer, Role } from "../support/editorial";
import { exited } from "../support/processes";
import { startTestServer, type TestServer } from "../support/server";

const HOLD_MS = 2_000;
const HOLDER = path.join(__dirname, "../support/hold-writer.js");

/**
 * SQLite engine-specific: while another process holds the database's writer (a seed batch,
 * `search:reindex`), an editor's mutation waits for it and then succeeds; it never fails with
 * "database is locked", and the server keeps answering while it waits.
 */
describe("SQLite: a mutation while another process holds the writer", { skip: TEST_ENGINE === "postgres" ? "SQLite's single writer; runs in the SQLite pass" : false }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("waits for the other writer, then succeeds; the server answers meanwhile", async () => {
    const author = await makeAuthor(server.dataSource);
    await makeTag(server.dataSource, { slug: "tunggu" });
    const editor = (await bearer(server, Role.EDITOR)).headers;
    // The token's first use records it (a write of its own); done now, the mutation below
    // starts by reading, as an edit does, and only then writes.
    assert.equal((await server.gql(`{ __typename }`, {}, editor)).status, 200);

    const holder = spawn(process.execPath, [HOLDER, server.dbFile, String(HOLD_MS)], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    holder.stdout.on("data", (chunk) => (output += chunk));
    holder.stderr.on("data", (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on("data", () => /held \d+/.test(output) && resolve());
      holder.once("exit", (code) => reject(new Error(`holder exited with ${code}: ${output}`)));
    });

    const mutation = server.gql(
      `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id slug } }`,
      { input: { title: "Ditulis saat penulis lain menunggu", lead: "Lead.", body: "Isi.", authorSlug: author.slug, tagSlugs: ["tunggu"] } },
      editor,
    );
    // Asked once the mutation is waiting: a server blocked in SQLite's busy wait would answer only after the release.
    const health = new Promise((resolve) => setTimeout(resolve, HOLD_MS / 4))
      .then(() => fetch(server.url.replace("/graphql", "/healthz")))
      .then((r) => ({ status: r.status, at: Date.now() }));
    const [written, healthz] = await Promise.all([mutation, health]);
    assert.equal(await exited(holder), 0, output);
    const releasedAt = Number(/released (\d+)/.exec(output)?.[1]);

    assert.equal(written.body.errors, undefined, JSON.stringify(written.body.errors));
    assert.equal(written.body.data.createArticle.slug, "ditulis-saat-penulis-lain-menunggu");
    const [{ n }] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM articles WHERE slug = 'ditulis-saat-penulis-lain-menunggu'`);
    assert.equal(Number(n), 1);
    assert.equal(healthz.status, 200);
    assert.ok(healthz.at < releasedAt, "the event loop was free while the mutation waited for the writer");
  });
});
