import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { assertNoLeak, assertStillServes, postJson } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

const INJECTIONS = [
  "' OR '1'='1",
  "x'; DROP TABLE articles; --",
  '" OR ""="',
  "%' --",
  "1; SELECT * FROM sqlite_master",
  "') UNION SELECT name, sql, 1, 1 FROM sqlite_master --",
  "\\' OR 1=1 --",
  "ʼ OR 1=1 --",
  "a\u0000b",
  "*/ OR 1=1 /*",
  "published_at DESC; DELETE FROM authors",
];

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

async function tableCounts(server: TestServer) {
  const [row] = await server.dataSource.query(
    "SELECT (SELECT COUNT(*) FROM articles) AS articles, (SELECT COUNT(*) FROM authors) AS authors, (SELECT COUNT(*) FROM tags) AS tags, (SELECT COUNT(*) FROM article_tags) AS links",
  );
  return row;
}

describe("input safety", () => {
  let server: TestServer;
  let draftSlug: string;
  before(async () => {
    server = await startTestServer();
    const author = await makeAuthor(server.dataSource);
    const tag = await makeTag(server.dataSource);
    await makeArticle(server.dataSource, { author, tags: [tag] });
    await makeArticle(server.dataSource, { author, tags: [tag] });
    draftSlug = (await makeArticle(server.dataSource, { author, status: "draft", publishedAt: null })).slug;
  });
  after(() => server.close());

  test("unknown sort or filter fields are schema errors, inline or in variables", async () => {
    const cases: { query: string; variables?: Record<string, unknown> }[] = [
      { query: "{ articles(orderBy: title) { totalCount } }" },
      { query: '{ articles(orderBy: "published_at; DROP TABLE articles") { totalCount } }' },
      { query: '{ articles(filter: { title: "x" }) { totalCount } }' },
      { query: '{ articles(filter: { status_in: ["draft"] }) { totalCount } }' },
      { query: "query($o: ArticleOrder!) { articles(orderBy: $o) { totalCount } }", variables: { o: "published_at DESC; DELETE FROM authors" } },
      { query: "query($f: ArticleFilter) { articles(filter: $f) { totalCount } }", variables: { f: { authorSlug: "a", orderBy: "1; DROP TABLE tags" } } },
      { query: "query($o: AuthorOrder!) { authors(orderBy: $o) { totalCount } }", variables: { o: "name); DROP TABLE authors; --" } },
      { query: "query($o: TagOrder!) { tags(orderBy: $o) { totalCount } }", variables: { o: "name ASC, (SELECT 1)" } },
    ];
    for (const { query, variables } of cases) {
      const response = await postJson(server, { query, variables });
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      assert.ok(["GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"].includes(response.json.errors[0].extensions.code), response.text);
      assert.equal(response.json.data, undefined);
      assert.equal(response.headers.get("x-sql-statements"), "0", "nothing may reach the database");
    }
    await assertStillServes(server);
  });

  test("SQL in every string argument is a value: no match, or BAD_USER_INPUT, and the database is intact", async () => {
    const before = await tableCounts(server);
    const probes: { query: string; variables: (s: string) => Record<string, unknown>; pick: (data: any) => unknown }[] = [
      { query: "query($s: String) { article(slug: $s) { slug status } }", variables: (s) => ({ s }), pick: (d) => d?.article },
      { query: "query($s: String) { author(slug: $s) { slug } }", variables: (s) => ({ s }), pick: (d) => d?.author },
      { query: "query($s: String) { tag(slug: $s) { slug } }", variables: (s) => ({ s }), pick: (d) => d?.tag },
      { query: "query($s: ID) { article(id: $s) { slug } }", variables: (s) => ({ s }), pick: (d) => d?.article },
      { query: "query($s: String) { articles(filter: { authorSlug: $s }) { totalCount nodes { slug } } }", variables: (s) => ({ s }), pick: (d) => d?.articles?.nodes?.[0] },
      { query: "query($s: String!) { articles(filter: { tagSlugs: [$s] }) { totalCount nodes { slug } } }", variables: (s) => ({ s }), pick: (d) => d?.articles?.nodes?.[0] },
      { query: "query($s: String!) { articles(filter: { tagSlugs: [$s], tagMatch: ALL }) { nodes { slug } } }", variables: (s) => ({ s }), pick: (d) => d?.articles?.nodes?.[0] },
      { query: "query($s: String) { articles(after: $s) { nodes { slug } } }", variables: (s) => ({ s }), pick: (d) => d?.articles?.nodes?.[0] },
      { query: "query($s: String) { authors(after: $s) { nodes { slug } } }", variables: (s) => ({ s }), pick: (d) => d?.authors?.nodes?.[0] },
      { query: "query($s: String) { tags(after: $s) { nodes { slug } } }", variables: (s) => ({ s }), pick: (d) => d?.tags?.nodes?.[0] },
    ];
    for (const injection of INJECTIONS) {
      for (const probe of probes) {
        const response = await postJson(server, { query: probe.query, variables: probe.variables(injection) });
        assert.ok(response.status < 500, `${probe.query} with ${injection}: ${response.text}`);
        assertNoLeak(response.text, injection);
        const codes = (response.json.errors ?? []).map((e: any) => e.extensions?.code);
        assert.ok(codes.every((c: string) => c === "BAD_USER_INPUT"), `${probe.query} with ${JSON.stringify(injection)}: ${response.text}`);
        if (!codes.length) assert.equal(probe.pick(response.json.data) ?? null, null, `${probe.query} with ${JSON.stringify(injection)} matched something`);
      }
    }
    // A well-formed cursor whose sort value is SQL: it is compared as a value, never spliced in.
    for (const injection of INJECTIONS) {
      const response = await postJson(server, { query: "query($a: String) { articles(after: $a) { nodes { slug status } } }", variables: { a: cursorOf([injection, 1]) } });
      assert.ok(response.status < 500, response.text);
      assertNoLeak(response.text);
      for (const error of response.json.errors ?? []) assert.equal(error.extensions.code, "BAD_USER_INPUT", response.text);
      for (const node of response.json.data?.articles?.nodes ?? []) assert.equal(node.status, "PUBLISHED");
      assert.doesNotMatch(response.text, new RegExp(draftSlug));
    }
    assert.deepEqual(await tableCounts(server), before);
    const still = await server.gql("{ articles { totalCount } authors { totalCount } tags { totalCount } }");
    assert.deepEqual(still.body.data, { articles: { totalCount: 2 }, authors: { totalCount: 1 }, tags: { totalCount: 1 } });
  });
});
