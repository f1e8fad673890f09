import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";

const HOME_PAGE = `query($first: Int!) { articles(first: $first) { totalCount nodes {
  slug title excerpt publishedAtText author { name slug } tags { slug name }
  related(first: 3) { reason article { slug author { name } } } } } }`;

const NESTED = `{ tags(first: 10) { nodes { slug articleCount articles(first: 5) { totalCount nodes { slug author { name } tags { slug } } } } }
  authors(first: 10) { nodes { name articleCount articles(first: 3) { nodes { slug related(first: 2) { article { slug } } } } } } }`;

describe("statement count does not grow with the list", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    const authors = await Promise.all(Array.from({ length: 8 }, () => makeAuthor(ds)));
    const tags = await Promise.all(Array.from({ length: 12 }, () => makeTag(ds)));
    for (let i = 0; i < 110; i++) {
      await makeArticle(ds, { author: authors[i % authors.length], tags: [tags[i % 3], tags[3 + (i % 9)]] });
    }
  });
  after(() => server.close());

  it("runs the same number of statements for 5, 50 and 100 articles", async () => {
    const counts: Record<number, number> = {};
    for (const first of [5, 50, 100]) {
      const res = await server.gql(HOME_PAGE, { first });
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      assert.equal(res.body.data.articles.nodes.length, first);
      counts[first] = res.statements;
    }
    console.log("statements for the home-page query at 5/50/100 articles:", counts);
    assert.equal(counts[5], counts[50]);
    assert.equal(counts[50], counts[100]);
    assert.ok(counts[100] <= 6, `at most 6 statements, got ${counts[100]}`);
  });

  it("batches nested connections across parents", async () => {
    const res = await server.gql(NESTED);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    console.log("statements for nested tags/authors query:", res.statements);
    assert.ok(res.statements <= 10, `nested lists batch per level, got ${res.statements}`);
  });
});
