import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Article } from "../../src/entities/article.entity";
import { writeTransaction } from "../../src/db/write-lock";
import { makeAuthor } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";

/**
 * Reads never see a write in progress: a request served while a write transaction is open
 * answers from the last committed state, and a rolled-back write leaves no trace in answers
 * or in the response cache.
 */
describe("read isolation from open write transactions", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const QUERY = `{ article(slug: "belum-terbit") { title } articles { totalCount } }`;

  it("serves the committed state during a transaction and nothing of it after a rollback", async () => {
    const author = await makeAuthor(server.dataSource);
    const before = await server.gql(QUERY);
    assert.deepEqual(before.body.data, { article: null, articles: { totalCount: 0 } });

    const rollback = new Error("roll back on purpose");
    let during: Awaited<ReturnType<TestServer["gql"]>> | undefined;
    await assert.rejects(
      writeTransaction(server.dataSource, async (manager) => {
        await manager.getRepository(Article).save(
          manager.getRepository(Article).create({
            slug: "belum-terbit",
            title: "Belum terbit",
            lead: "L.",
            body: "B.",
            status: "published",
            publishedAt: new Date(Date.now() - 60_000),
            timeZone: "Asia/Jakarta",
            authorId: author.id,
            wordCount: 1,
          }),
        );
        during = await server.gql(QUERY, { fresh: 1 });
        throw rollback;
      }),
      rollback,
    );
    assert.deepEqual(during?.body.data, { article: null, articles: { totalCount: 0 } }, "the open transaction was invisible");
    const afterwards = await server.gql(QUERY, { fresh: 2 });
    assert.deepEqual(afterwards.body.data, { article: null, articles: { totalCount: 0 } });
    assert.deepEqual((await server.gql(QUERY)).body.data, { article: null, articles: { totalCount: 0 } });
  });
});
