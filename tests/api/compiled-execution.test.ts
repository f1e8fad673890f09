import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse, validate } from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";
import { compiledExecution } from "../../src/graphql/compiled-execution";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";

/**
 * Repeated queries run compiled (graphql-jit) from their second run on; the first runs on
 * graphql-js. Every answer here is asked four times and must come back the same each time:
 * data, null bubbling, error codes and paths.
 */
describe("compiled execution answers as graphql-js does", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const author = await makeAuthor(server.dataSource, { slug: "dewi", name: "Dewi Lestari", bio: "Wartawan ekonomi." });
    const tags = [await makeTag(server.dataSource, { slug: "ekonomi", name: "Ekonomi" }), await makeTag(server.dataSource, { slug: "pasar", name: "Pasar" })];
    const older = await makeArticle(server.dataSource, { slug: "harga-beras", title: "Harga beras naik", author, tags, featuredImageUrl: "https://img.example.id/beras.jpg", featuredImageCaption: "Pasar Induk" });
    await makeArticle(server.dataSource, { slug: "harga-cabai", title: "Harga cabai turun", lead: "", author, tags: [tags[0]], related: [older] });
  });
  after(() => server.close());

  async function askFourTimes(query: string, variables?: Record<string, unknown>) {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await server.gql(query, variables));
    for (const answer of answers.slice(1)) {
      assert.equal(answer.status, answers[0].status);
      assert.deepEqual(answer.body.data, answers[0].body.data);
      assert.deepEqual(
        answer.body.errors?.map(({ extensions, ...error }) => ({ ...error, code: extensions?.code })),
        answers[0].body.errors?.map(({ extensions, ...error }) => ({ ...error, code: extensions?.code })),
      );
    }
    return answers[0];
  }

  it("a page with fragments, aliases, variables, enums, dates and nested lists", async () => {
    const answer = await askFourTimes(
      `query Page($slug: String!, $n: Int = 5) {
        a: article(slug: $slug) { ...Card status publishedAtText readingTimeMinutes lead excerpt(length: 40) featuredImage { url caption }
          related(first: $n) { reason article { ...Card } } }
        missing: article(slug: "tidak-ada") { id }
        articles(first: 10) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __typename slug tags { slug name } author { name bio } } } }
      }
      fragment Card on Article { id slug title publishedAt author { slug name } tags { slug } }`,
      { slug: "harga-cabai" },
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.body.errors, undefined);
    assert.equal(answer.body.data.a.slug, "harga-cabai");
    assert.match(answer.body.data.a.excerpt, /^Paragraf pertama artikel \d+\. Paragraf…$/, "the lead is empty: the excerpt comes from the body");
    assert.equal(answer.body.data.missing, null);
    assert.equal(answer.body.data.a.related[0].article.slug, "harga-beras");
    assert.equal(answer.body.data.articles.edges.length, 2);
  });

  it("a resolver's refusal keeps its code and path, and nulls only its own field", async () => {
    const answer = await askFourTimes(`query Short { articles(first: 2) { nodes { slug excerpt(length: 5) } } }`);
    assert.equal(answer.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    assert.deepEqual(answer.body.errors?.[0]?.path, ["articles", "nodes", 0, "excerpt"]);
  });

  it("a variable of the wrong type is BAD_USER_INPUT on every run", async () => {
    const answer = await askFourTimes(`query Page($slug: String!) { article(slug: $slug) { slug } }`, { slug: { not: "a string" } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
  });

  it("refuses every kind of bad variable in the same words compiled as on graphql-js, and takes good ones", async () => {
    const query = `query Filtered($first: Int!, $order: ArticleOrder!, $filter: ArticleFilter) {
      articles(first: $first, orderBy: $order, filter: $filter) { nodes { slug } } }`;
    const good = { first: 2, order: "PUBLISHED_AT_DESC", filter: { publishedAfter: "2000-01-01T07:00:00+07:00", tagSlugs: ["ekonomi"] } };
    const accepted = await askFourTimes(query, good);
    assert.equal(accepted.body.errors, undefined, JSON.stringify(accepted.body.errors));
    for (const variables of [
      { ...good, first: 2 ** 31 },
      { ...good, first: "2" },
      { order: "PUBLISHED_AT_DESC" },
      { ...good, order: "SIDEWAYS" },
      { ...good, filter: { publishedAfter: "2023-02-30T00:00:00Z" } },
      { ...good, filter: { tagSlugs: [null] } },
      { ...good, filter: { unknownField: 1 } },
    ]) {
      const refused = await askFourTimes(query, variables);
      assert.equal(refused.status, 400, JSON.stringify(variables));
      assert.equal(refused.body.data, undefined);
      assert.equal(refused.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(variables));
    }
  });
});

describe("compiled execution: when an operation is compiled", () => {
  it("compiles a query on its second run, never a mutation, and keeps at most its bound", async () => {
    const schema = await buildAppSchema();
    const gateway = compiledExecution(schema, { compileAfter: 2, maxCompiled: 2 });
    const { executor } = await gateway.load({ apollo: { key: undefined, keyHash: undefined, graphRef: undefined } });
    const run = async (source: string, queryHash: string) => {
      const document = parse(source);
      assert.deepEqual(validate(schema, document), []);
      const operation = document.definitions[0] as any;
      // The context the resolvers see is not reached: these operations read nothing.
      await executor!({ document, operation, queryHash, request: { query: source, variables: {} }, context: {} } as any);
    };
    await run("{ __typename }", "a");
    assert.equal(gateway.compiledOperations(), 0, "one run stays on graphql-js");
    await run("{ __typename }", "a");
    assert.equal(gateway.compiledOperations(), 1);
    await run("mutation { __typename }", "m");
    await run("mutation { __typename }", "m");
    assert.equal(gateway.compiledOperations(), 1, "mutations run on graphql-js");
    for (const hash of ["b", "c", "d"]) {
      await run("query { __typename }", hash);
      await run("query { __typename }", hash);
    }
    assert.equal(gateway.compiledOperations(), 2, "the bound holds");
  });
});
