import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bearer, Role } from "../support/editorial";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type GraphQLResponse, type TestServer } from "../support/server";

/**
 * `tag(slug:)` asking for a first page of `articles` reads the tag and the page in one statement
 * (tagBySlugWithPage). The same selection inside an inline fragment is not looked ahead into, so
 * it takes the lookup-then-page path: every answer, and the cache keys it records, must be the same.
 */
const DOCUMENTS = {
  cards: `tag(slug: $slug) { slug name articles(first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { slug title tags { slug } author { name } } } }`,
  wholeTag: `tag(slug: $slug) { id slug name description createdAt updatedAt articleCount articles(first: 3) { totalCount nodes { slug status } } }`,
  ordered: `tag(slug: $slug) { name articles(first: $first, orderBy: $order) { pageInfo { hasNextPage endCursor } nodes { slug publishedAt } } }`,
  empty: `tag(slug: $slug) { name articles(first: 0) { totalCount pageInfo { hasNextPage } } }`,
  tooLarge: `tag(slug: $slug) { name articles(first: 1000) { nodes { slug } } }`,
  twins: `tag(slug: $slug) { name a: articles(first: 2) { nodes { slug } } b: articles(first: 3) { totalCount nodes { slug } } }`,
} as const;

/** The same fields inside an inline fragment on Tag: nothing for the lookup to look ahead into. */
function unfolded(selection: string): string {
  return selection.replace(/^tag\(slug: \$slug\) \{(.*)\}$/s, "tag(slug: $slug) { ... on Tag {$1} }");
}

const variablesOf = (selection: string) => (selection.includes("$first") ? "$slug: String!, $first: Int = 4, $order: ArticleOrder = PUBLISHED_AT_ASC" : "$slug: String!");

function comparable(res: GraphQLResponse): unknown {
  // Each error names its own request, and its place in its own document.
  const errors = res.body.errors?.map(({ locations: _locations, extensions, ...error }: { locations?: unknown; extensions?: Record<string, unknown> }) => {
    const { requestId: _requestId, ...rest } = extensions ?? {};
    return { ...error, extensions: rest };
  });
  return { status: res.status, body: { ...res.body, errors }, keys: res.headers.get("surrogate-key") };
}

describe("a tag page by slug", () => {
  let server: TestServer;
  let editor: Record<string, string>;
  before(async () => {
    server = await startTestServer({ env: { RESPONSE_CACHE: "off" } });
    const ds = server.dataSource;
    const author = await makeAuthor(ds);
    const ekonomi = await makeTag(ds, { slug: "ekonomi", name: "Ekonomi", description: "Harga dan pasar" });
    const kosong = await makeTag(ds, { slug: "kosong", name: "Kosong" });
    await makeTag(ds, { slug: "sepi", name: "Sepi" });
    for (let i = 0; i < 7; i++) await makeArticle(ds, { author, tags: [ekonomi] });
    await makeArticle(ds, { author, tags: [ekonomi], status: "draft", publishedAt: null });
    await makeArticle(ds, { author, tags: [ekonomi], publishedAt: new Date(Date.now() + 86_400_000) });
    // Only a draft carries it: readers do not see the tag, editors do, with its page.
    await makeArticle(ds, { author, tags: [kosong], status: "draft", publishedAt: null });
    editor = (await bearer(server, Role.EDITOR)).headers;
    // A token's first use records it (statements of its own), which would count against whichever document came first.
    await server.gql("{ __typename }", {}, editor);
  });
  after(() => server.close());

  it("reads the tag with its first page in one statement", async () => {
    const res = await server.gql(`query($slug: String!) { ${DOCUMENTS.cards} }`, { slug: "ekonomi" });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    assert.equal(res.body.data.tag.articles.totalCount, 7);
    assert.equal(res.statements, 1);
  });

  for (const [name, selection] of Object.entries(DOCUMENTS)) {
    it(`answers "${name}" as the lookup-then-page path does, with the same cache keys, for readers and editors`, async () => {
      for (const slug of ["ekonomi", "kosong", "sepi", "tidak-ada"]) {
        for (const [viewer, headers] of [["reader", {}], ["editor", editor]] as const) {
          const variables = { slug };
          const folded = await server.gql(`query(${variablesOf(selection)}) { ${selection} }`, variables, headers);
          const plain = await server.gql(`query(${variablesOf(selection)}) { ${unfolded(selection)} }`, variables, headers);
          const invalid = (res: GraphQLResponse) => res.body.errors?.some((e: { extensions?: { code?: string } }) => /GRAPHQL_(PARSE|VALIDATION)_FAILED/.test(e.extensions?.code ?? ""));
          assert.ok(!invalid(folded) && !invalid(plain), JSON.stringify([folded.body.errors, plain.body.errors]));
          assert.deepEqual(comparable(folded), comparable(plain), `${name}, ${slug}, ${viewer}`);
          if (viewer === "reader" && folded.body.data?.tag) assert.match(folded.headers.get("surrogate-key") ?? "", /\btag:\d+\b/);
          assert.ok(folded.statements <= plain.statements + 1, `${name}, ${slug}, ${viewer}: ${folded.statements} against ${plain.statements}`);
          if (folded.body.data?.tag?.articles?.nodes?.length) assert.ok(folded.statements < plain.statements, `${name}, ${slug}, ${viewer}: one statement saved`);
        }
      }
    });
  }
});
