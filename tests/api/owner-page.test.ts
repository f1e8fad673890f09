import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bearer, Role } from "../support/editorial";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { comparableAnswer, refusedDocument } from "../support/equivalence";
import { startTestServer, type TestServer } from "../support/server";

/**
 * `tag(slug:)` or `author(slug:)` asking for a first page of `articles` reads its owner and the
 * page in one statement (bySlugWithPage). The same selection inside an inline fragment is not
 * looked ahead into, so it takes the lookup-then-page path: every answer, and the cache keys it
 * records, must be the same.
 */
type Owner = "tag" | "author";

const documentsOf = (owner: Owner) => {
  const whole = owner === "tag" ? "description createdAt updatedAt" : "bio avatarUrl createdAt updatedAt";
  const type = owner === "tag" ? "Tag" : "Author";
  const at = `${owner}(slug: $slug)`;
  return {
    type,
    selections: {
      cards: `${at} { slug name articles(first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { slug title tags { slug } author { name } } } }`,
      whole: `${at} { id slug name ${whole} articleCount articles(first: 3) { totalCount nodes { slug status author { bio } } } }`,
      ordered: `${at} { name articles(first: $first, orderBy: $order) { pageInfo { hasNextPage endCursor } nodes { slug publishedAt } } }`,
      // Not in index order for a tag: the general page statement, with the owner's columns all the same.
      updated: `${at} { name articles(first: 4, orderBy: UPDATED_AT_DESC) { totalCount nodes { slug } } }`,
      empty: `${at} { name articles(first: 0) { totalCount pageInfo { hasNextPage } } }`,
      tooLarge: `${at} { name articles(first: 1000) { nodes { slug } } }`,
      twins: `${at} { name a: articles(first: 2) { nodes { slug } } b: articles(first: 3) { totalCount nodes { slug } } }`,
    },
  };
};

/** The same fields inside an inline fragment: nothing for the lookup to look ahead into. */
function unfolded(selection: string, type: string): string {
  return selection.replace(/^(\w+\(slug: \$slug\)) \{(.*)\}$/s, `$1 { ... on ${type} {$2} }`);
}

const variablesOf = (selection: string) => (selection.includes("$first") ? "$slug: String!, $first: Int = 4, $order: ArticleOrder = PUBLISHED_AT_ASC" : "$slug: String!");

describe("a tag or author page by slug", () => {
  let server: TestServer;
  let editor: Record<string, string>;
  before(async () => {
    server = await startTestServer({ env: { RESPONSE_CACHE: "off" } });
    const ds = server.dataSource;
    const penulis = await makeAuthor(ds, { slug: "penulis", name: "Penulis", bio: "Wartawan ekonomi" });
    const baru = await makeAuthor(ds, { slug: "baru", name: "Baru" });
    await makeAuthor(ds, { slug: "diam", name: "Diam" });
    const ekonomi = await makeTag(ds, { slug: "ekonomi", name: "Ekonomi", description: "Harga dan pasar" });
    const kosong = await makeTag(ds, { slug: "kosong", name: "Kosong" });
    await makeTag(ds, { slug: "sepi", name: "Sepi" });
    for (let i = 0; i < 7; i++) await makeArticle(ds, { author: penulis, tags: [ekonomi] });
    await makeArticle(ds, { author: penulis, tags: [ekonomi], status: "draft", publishedAt: null });
    await makeArticle(ds, { author: penulis, tags: [ekonomi], publishedAt: new Date(Date.now() + 86_400_000) });
    // Only a draft carries the tag, or is by the author: readers do not see the tag, editors see
    // it with its page; the author is there for everyone, with an empty page for readers.
    await makeArticle(ds, { author: baru, tags: [kosong], status: "draft", publishedAt: null });
    editor = (await bearer(server, Role.EDITOR)).headers;
    // A token's first use records it (statements of its own), which would count against whichever document came first.
    await server.gql("{ __typename }", {}, editor);
  });
  after(() => server.close());

  it("reads the tag, or the author, with its first page in one statement", async () => {
    for (const [owner, slug] of [["tag", "ekonomi"], ["author", "penulis"]] as const) {
      const res = await server.gql(`query($slug: String!) { ${documentsOf(owner).selections.cards} }`, { slug });
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      assert.equal(res.body.data[owner].articles.totalCount, 7);
      assert.equal(res.statements, 1, owner);
    }
  });

  const slugs: Record<Owner, string[]> = { tag: ["ekonomi", "kosong", "sepi", "tidak-ada"], author: ["penulis", "baru", "diam", "tidak-ada"] };
  for (const owner of ["tag", "author"] as const) {
    const { type, selections } = documentsOf(owner);
    for (const [name, selection] of Object.entries(selections)) {
      it(`answers ${owner} "${name}" as the lookup-then-page path does, with the same cache keys, for readers and editors`, async () => {
        for (const slug of slugs[owner]) {
          for (const [viewer, headers] of [["reader", {}], ["editor", editor]] as const) {
            const variables = { slug };
            const folded = await server.gql(`query(${variablesOf(selection)}) { ${selection} }`, variables, headers);
            const plain = await server.gql(`query(${variablesOf(selection)}) { ${unfolded(selection, type)} }`, variables, headers);
            assert.ok(!refusedDocument(folded) && !refusedDocument(plain), JSON.stringify([folded.body.errors, plain.body.errors]));
            assert.deepEqual(comparableAnswer(folded), comparableAnswer(plain), `${name}, ${slug}, ${viewer}`);
            if (viewer === "reader" && folded.body.data?.[owner]) assert.match(folded.headers.get("surrogate-key") ?? "", new RegExp(`\\b${owner}:\\d+\\b`));
            assert.ok(folded.statements <= plain.statements + 1, `${name}, ${slug}, ${viewer}: ${folded.statements} against ${plain.statements}`);
            if (folded.body.data?.[owner]?.articles?.nodes?.length) assert.ok(folded.statements < plain.statements, `${name}, ${slug}, ${viewer}: one statement saved`);
          }
        }
      });
    }
  }
});
