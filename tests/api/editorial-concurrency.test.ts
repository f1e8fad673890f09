import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, outcome, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";

const MUTATIONS = 200;
const CONCURRENCY = 50;

/**
 * Many newsroom scripts writing at once over HTTP: SQLite has one writer, so every write
 * transaction queues; none may fail with SQLITE_BUSY and none may be lost. Updates of one
 * shared article also race for the next revision number, which must stay gapless.
 */
describe(`${MUTATIONS} mutations at concurrency ${CONCURRENCY}`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  // On PostgreSQL writers are not queued: slugs and revision numbers are taken under row locks,
  // and deadlocks are retried (src/repositories/), so the same outcome holds there.
  it("all succeed and every row is there", async () => {
    const author = await makeAuthor(server.dataSource, { slug: "serentak" });
    await makeTag(server.dataSource, { slug: "beban" });
    const shared = await makeArticle(server.dataSource, { author, title: "Bersama" });
    const editors = await Promise.all([1, 2, 3].map((n) => bearer(server, Role.EDITOR, undefined, `editor ${n}`)));
    const authorToken = await bearer(server, Role.AUTHOR, author.slug, "author");

    const calls = Array.from({ length: MUTATIONS }, (_, i) => () => {
      if (i % 4 === 3) {
        return server.gql(
          `mutation ($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id } }`,
          { id: String(shared.id), input: { body: `Versi ${i}.\n\nParagraf kedua.` } },
          editors[i % 3].headers,
        );
      }
      return server.gql(
        `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id slug } }`,
        { input: { title: "Berita Serentak", lead: `Lead ${i}.`, body: `Isi ${i}.`, authorSlug: author.slug, tagSlugs: ["beban"] } },
        i % 2 === 0 ? authorToken.headers : editors[i % 3].headers,
      );
    });

    const outcomes: string[] = new Array(MUTATIONS);
    let nextCall = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (nextCall < calls.length) {
          const index = nextCall++;
          const response = await calls[index]();
          outcomes[index] = response.status === 200 ? outcome(response) : `HTTP ${response.status} ${outcome(response)}`;
        }
      }),
    );
    const elapsedMs = performance.now() - started;

    const failures = outcomes.filter((o) => o !== "ok");
    assert.deepEqual(failures, [], "no mutation failed (no SQLITE_BUSY reached a client)");

    const creates = outcomes.filter((_, i) => i % 4 !== 3).length;
    const updates = MUTATIONS - creates;
    const [rows] = await server.dataSource.query(`SELECT
      (SELECT COUNT(*) FROM articles WHERE title = 'Berita Serentak') AS created,
      (SELECT COUNT(DISTINCT slug) FROM articles WHERE title = 'Berita Serentak') AS slugs,
      (SELECT COUNT(*) FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.slug = 'beban') AS tagged,
      (SELECT COUNT(*) FROM article_revisions WHERE article_id = ${shared.id}) AS shared_revisions,
      (SELECT MAX(revision) FROM article_revisions WHERE article_id = ${shared.id}) AS shared_last_revision`);
    assert.equal(Number(rows.created), creates);
    assert.equal(Number(rows.slugs), creates, "every clash got its own suffix");
    assert.equal(Number(rows.tagged), creates);
    // The baseline of the imported article plus one revision per update, numbered without gaps.
    assert.equal(Number(rows.shared_revisions), updates + 1);
    assert.equal(Number(rows.shared_last_revision), updates + 1);

    console.log(
      `concurrency: ${MUTATIONS} mutations (${creates} createArticle, ${updates} updateArticle) at concurrency ${CONCURRENCY}: ` +
        `${elapsedMs.toFixed(0)} ms, ${(MUTATIONS / (elapsedMs / 1000)).toFixed(0)} mutations/s; rows: ${rows.created} articles, ${rows.tagged} tag links, ${rows.shared_revisions} revisions of the shared article`,
    );
  });
});
