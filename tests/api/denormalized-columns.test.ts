import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";

/**
 * article_tags.live_at and tags.live_count are copies kept by triggers; every read of tag
 * pages and related articles trusts them. After every kind of write they must equal what
 * they copy.
 */
describe("trigger-maintained copies stay exact", () => {
  let server: TestServer;
  let editor: Record<string, string>;

  before(async () => {
    server = await startTestServer();
    editor = (await bearer(server, Role.EDITOR)).headers;
  });
  after(() => server.close());

  async function drift(): Promise<{ liveAt: number; liveCount: number }> {
    const [live] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM article_tags at JOIN articles a ON a.id = at.article_id
      WHERE at.live_at IS DISTINCT FROM (CASE WHEN a.status = 'published' AND a.deleted_at IS NULL THEN a.published_at END)`);
    const [count] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM tags t
      WHERE t.live_count <> (SELECT COUNT(*) FROM article_tags at WHERE at.tag_id = t.id AND at.live_at IS NOT NULL)`);
    return { liveAt: Number(live.n), liveCount: Number(count.n) };
  }

  async function write(query: string, variables: Record<string, unknown>) {
    const res = await server.gql(query, variables, editor);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return res.body.data;
  }

  it("after inserts, tag changes, publishing, unpublishing, deleting and restoring", async () => {
    const author = await makeAuthor(server.dataSource, { slug: "penulis" });
    const [a, b] = [await makeTag(server.dataSource, { slug: "satu" }), await makeTag(server.dataSource, { slug: "dua" })];
    await makeArticle(server.dataSource, { author, tags: [a, b] });
    await makeArticle(server.dataSource, { author, tags: [a], status: "draft", publishedAt: null });
    assert.deepEqual(await drift(), { liveAt: 0, liveCount: 0 });

    const { createArticle } = await write(`mutation { createArticle(input: { title: "Baru", lead: "L.", body: "B.", authorSlug: "penulis", tagSlugs: ["satu", "dua", "tiga"] }) { id } }`, {});
    const id = createArticle.id;
    assert.deepEqual(await drift(), { liveAt: 0, liveCount: 0 });
    const steps = [
      [`mutation($id: ID!) { updateArticle(id: $id, input: { tagSlugs: ["dua"] }) { id } }`, { id }],
      [`mutation($id: ID!) { publishArticle(id: $id) { id } }`, { id }],
      [`mutation($id: ID!, $at: DateTime!) { publishArticle(id: $id, at: $at) { id } }`, { id, at: "2099-01-01T00:00:00Z" }],
      [`mutation($id: ID!) { unpublishArticle(id: $id) { id } }`, { id }],
      [`mutation($id: ID!) { publishArticle(id: $id) { id } }`, { id }],
      [`mutation($id: ID!) { deleteArticle(id: $id) { id } }`, { id }],
      [`mutation($id: ID!) { restoreArticle(id: $id) { id } }`, { id }],
      [`mutation($id: ID!) { updateArticle(id: $id, input: { tagSlugs: ["satu", "tiga"] }) { id } }`, { id }],
    ] as const;
    for (const [query, variables] of steps) {
      await write(query, variables);
      assert.deepEqual(await drift(), { liveAt: 0, liveCount: 0 }, query);
    }
    // satu: the first live article and the new one (live again); the draft does not count.
    const [satu] = await server.dataSource.query(`SELECT live_count FROM tags WHERE slug = 'satu'`);
    assert.equal(Number(satu.live_count), 2);
  });
});
