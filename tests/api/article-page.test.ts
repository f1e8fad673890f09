import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bearer, Role } from "../support/editorial";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { comparableAnswer, refusedDocument } from "../support/equivalence";
import { startTestServer, type TestServer } from "../support/server";

/**
 * `article(id:|slug:)` asking for its `related` links reads the article and the links in one
 * statement (articleWithRelated). The same selection inside an inline fragment is not looked
 * ahead into, so it takes the lookup-then-ranking path: every answer, and the cache keys it
 * records, must be the same, for every kind of article a viewer may or may not see.
 */
const SELECTIONS: Record<string, string> = {
  page: `id slug title lead paragraphs publishedAtText featuredImage { url } author { name slug } tags { slug name }
    related(first: 5) { reason score article { slug title publishedAtText author { name } } }`,
  // Tags on the page only, on the links only, on both, with whole tags: the two parts' columns differ.
  pageTags: `slug tags { slug } related(first: 3) { article { slug } }`,
  linkTags: `slug related(first: 3) { article { slug tags { slug name } } }`,
  bothTags: `slug tags { name } related(first: 4) { article { slug tags { slug } } }`,
  wholeTags: `slug tags { slug description } related(first: 2) { article { tags { slug createdAt } } }`,
  // Columns beyond the card on both parts, and the body on the links.
  whole: `slug status wordCount deletedAt body author { bio } related(first: 5) { reason article { slug status paragraphs excerpt(length: 30) author { bio avatarUrl } } }`,
  empty: `slug related(first: 0) { reason }`,
  defaulted: `title related { article { slug } }`,
  tooLarge: `slug related(first: 1000) { reason }`,
  twins: `slug a: related(first: 1) { article { slug } } b: related(first: 3) { article { slug } }`,
};

function unfolded(selection: string): string {
  return `... on Article { ${selection} }`;
}

describe("an article page with its related links", () => {
  let server: TestServer;
  let viewers: [string, Record<string, string>][];
  const ids: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({ env: { RESPONSE_CACHE: "off" } });
    const ds = server.dataSource;
    const ana = await makeAuthor(ds, { slug: "ana", name: "Ana", bio: "Wartawan" });
    const budi = await makeAuthor(ds, { slug: "budi", name: "Budi" });
    const politik = await makeTag(ds, { slug: "politik", name: "Politik", description: "Kekuasaan" });
    const sagu = await makeTag(ds, { slug: "sagu", name: "Sagu" });
    const banjir = await makeTag(ds, { slug: "banjir", name: "Banjir" });
    const minute = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 60_000);
    const older = [];
    for (let i = 0; i < 6; i++) older.push(await makeArticle(ds, { author: i % 2 ? ana : budi, tags: i % 3 ? [politik] : [politik, sagu], publishedAt: minute(i) }));
    const draft = await makeArticle(ds, { slug: "draft", author: budi, tags: [politik, sagu], status: "draft", publishedAt: null });
    const scheduled = await makeArticle(ds, { slug: "scheduled", author: budi, tags: [sagu], publishedAt: new Date(Date.now() + 86_400_000) });
    const deleted = await makeArticle(ds, { slug: "deleted", author: ana, tags: [politik], publishedAt: minute(20), deletedAt: minute(30) });
    // Picks first in their order, a hidden pick left out for those who may not see it.
    await makeArticle(ds, { slug: "picked", author: ana, tags: [politik, sagu], publishedAt: minute(40), related: [older[0], draft, older[3], scheduled] });
    await makeArticle(ds, { slug: "lonely", author: ana, tags: [], publishedAt: minute(41), lead: "" });
    await makeArticle(ds, { slug: "own-tag", author: budi, tags: [banjir], publishedAt: minute(42) });
    Object.assign(ids, { draft: String(draft.id), deleted: String(deleted.id), older: String(older[2].id) });
    viewers = [
      ["reader", {}],
      ["editor", (await bearer(server, Role.EDITOR)).headers],
      ["budi's author token", (await bearer(server, Role.AUTHOR, "budi")).headers],
    ];
    // A token's first use records it (statements of its own), which would count against whichever document came first.
    for (const [, headers] of viewers) await server.gql("{ __typename }", {}, headers);
  });
  after(() => server.close());

  it("reads the article and its related links in one statement", async () => {
    const res = await server.gql(`query($slug: String!) { article(slug: $slug) { ${SELECTIONS.page} } }`, { slug: "picked" });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    assert.deepEqual(
      res.body.data.article.related.map((r: { reason: string }) => r.reason),
      ["EDITOR_PICK", "EDITOR_PICK", "SHARED_TAGS", "SHARED_TAGS", "SHARED_TAGS"],
    );
    assert.equal(res.statements, 1);
  });

  it("lists a pick that also shares the article's tags once, as a pick, however few links are asked for", async () => {
    // Both visible picks share both of "picked"'s tags, so they are also its best shared-tag candidates.
    for (const first of [1, 2, 3, 5, 8]) {
      const res = await server.gql(`query($first: Int!) { article(slug: "picked") { related(first: $first) { reason article { id } } } }`, { first });
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      const related: { reason: string; article: { id: string } }[] = res.body.data.article.related;
      const linked = related.map((r) => r.article.id);
      assert.equal(new Set(linked).size, linked.length, `first: ${first}, ${JSON.stringify(related)}`);
      const picks = related.filter((r) => r.reason === "EDITOR_PICK").length;
      assert.equal(picks, Math.min(first, 2), `first: ${first}`);
      assert.equal(related.length, Math.min(first, 6), `first: ${first}: two picks and the four other articles of its tags`);
    }
  });

  const keys = () => [
    { slug: "picked" },
    { slug: "lonely" },
    { slug: "own-tag" },
    { slug: "draft" },
    { slug: "scheduled" },
    { slug: "deleted" },
    { slug: "tidak-ada" },
    { id: ids.older },
    { id: ids.draft },
    { id: ids.deleted },
    { id: "999999" },
  ];
  for (const [name, selection] of Object.entries(SELECTIONS)) {
    it(`answers "${name}" as the lookup-then-ranking path does, with the same cache keys, for every viewer`, async () => {
      for (const key of keys()) {
        for (const [viewer, headers] of viewers) {
          const document = (fields: string) => `query($id: ID, $slug: String) { article(id: $id, slug: $slug) { ${fields} } }`;
          const folded = await server.gql(document(selection), key, headers);
          const plain = await server.gql(document(unfolded(selection)), key, headers);
          const label = `${name}, ${JSON.stringify(key)}, ${viewer}`;
          assert.ok(!refusedDocument(folded) && !refusedDocument(plain), JSON.stringify([folded.body.errors, plain.body.errors]));
          assert.deepEqual(comparableAnswer(folded), comparableAnswer(plain), label);
          assert.ok(folded.statements <= plain.statements, `${label}: ${folded.statements} against ${plain.statements}`);
          if (folded.body.data?.article?.related !== undefined && name !== "twins") assert.ok(folded.statements < plain.statements, `${label}: one statement saved`);
        }
      }
    });
  }

  it("records the article, its links' cards and the pools of its tags as cache keys", async () => {
    const res = await server.gql(`query($slug: String!) { article(slug: $slug) { ${SELECTIONS.pageTags} } }`, { slug: "picked" });
    const recorded = (res.headers.get("surrogate-key") ?? "").split(" ");
    const [{ id: politik }] = await server.dataSource.query("SELECT id FROM tags WHERE slug = 'politik'");
    assert.ok(recorded.includes(`tag:${politik}:articles`), recorded.join(" "));
    assert.ok(recorded.some((k) => /^article:\d+:card$/.test(k)), recorded.join(" "));
  });
});
