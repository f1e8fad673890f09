import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildClientSchema, getIntrospectionQuery, getNamedType, isCompositeType, isNonNullType, isObjectType, type GraphQLSchema } from "graphql";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, Role } from "../support/editorial";
import { assertNoLeak, assertStillServes, firstError, postJson, send } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

/** `articles { nodes { author { articles { ... } } } }` nested `levels` times: 3 fields a level. */
function nestedArticles(levels: number, first = 1): string {
  let inner = "slug";
  for (let i = 0; i < levels; i++) inner = `author { articles(first: ${first}) { nodes { ${inner} } } }`;
  return `{ articles(first: ${first}) { nodes { ${inner} } } }`;
}

function assertTooComplex(response: { status: number; json: any; text: string }, measure: string) {
  assert.equal(response.status, 400, response.text);
  const error = firstError(response);
  assert.equal(error.extensions?.code, "QUERY_TOO_COMPLEX", response.text);
  assert.equal(error.extensions?.measure, measure);
  assert.equal(response.json.data, undefined, "nothing may execute");
  assertNoLeak(response.text);
}

describe("cost limits (defaults)", () => {
  let server: TestServer;
  let schema: GraphQLSchema;
  let authorSlug: string;
  let tagSlug: string;
  let articleSlug: string;
  let adminHeaders: Record<string, string>;
  let webhookId: string;

  before(async () => {
    server = await startTestServer();
    const author = await makeAuthor(server.dataSource);
    const tag = await makeTag(server.dataSource);
    const article = await makeArticle(server.dataSource, { author, tags: [tag] });
    await makeArticle(server.dataSource, { author, tags: [tag], related: [article] });
    [authorSlug, tagSlug, articleSlug] = [author.slug, tag.slug, article.slug];
    adminHeaders = (await bearer(server, Role.ADMIN)).headers;
    const webhook = await server.gql(`mutation { createWebhook(input: { url: "http://127.0.0.1:9/hook", events: [TAG_UPDATED] }) { webhook { id } } }`, {}, adminHeaders);
    webhookId = webhook.body.data.createWebhook.webhook.id;
    schema = buildClientSchema((await server.gql(getIntrospectionQuery())).body.data);
  });
  after(() => server.close());

  test("depth: 10 levels run, 11 are refused before execution", async () => {
    // nestedArticles(3) = articles nodes + 3 × (author articles nodes) + slug = 2 + 9 + 1 = 12 > 10
    const ok = await postJson(server, { query: "{ articles(first: 1) { nodes { author { articles(first: 1) { nodes { author { articles(first: 1) { nodes { slug } } } } } } } } }" });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.errors, undefined);
    const tooDeep = await postJson(server, { query: nestedArticles(3) });
    assertTooComplex(tooDeep, "depth");
    assert.equal(tooDeep.json.errors[0].extensions.actual, 12);
    assert.equal(tooDeep.headers.get("x-sql-statements"), "0");
    // The verdict is remembered per document: asking again is refused the same way.
    const again = await postJson(server, { query: nestedArticles(3) });
    assertTooComplex(again, "depth");
    assert.equal(again.json.errors[0].extensions.actual, 12);
    await assertStillServes(server);
  });

  test("depth counts through fragments and inline fragments", async () => {
    const query = `
      query Deep { articles(first: 1) { nodes { ...A } } }
      fragment A on Article { author { articles(first: 1) { nodes { ... on Article { ...B } } } } }
      fragment B on Article { author { articles(first: 1) { nodes { author { articles(first: 1) { nodes { slug } } } } } } }`;
    assertTooComplex(await postJson(server, { query }), "depth");
    await assertStillServes(server);
  });

  test("an operation type the schema lacks (subscription) is a validation error, not a 500", async () => {
    const response = await postJson(server, { query: "subscription S { x1: article @include(if: true) }" });
    assert.equal(response.status, 400, response.text);
    assert.equal(firstError(response).extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    assert.equal(response.json.data, undefined);
    await assertStillServes(server);
  });

  test("a remembered verdict depends on the variables", async () => {
    const query = "query Fan($n: Int!) { articles(first: $n) { nodes { title author { articles(first: $n) { nodes { title } } } } } }";
    for (let round = 0; round < 2; round++) {
      const small = await postJson(server, { query, variables: { n: 2 } });
      assert.equal(small.json.errors, undefined, small.text);
      assertTooComplex(await postJson(server, { query, variables: { n: 100 } }), "complexity");
    }
  });

  test("complexity: a page of pages is priced at first × children and refused", async () => {
    const query = "query Fan($n: Int!) { articles(first: $n) { nodes { title author { articles(first: $n) { nodes { title } } } } } }";
    // 1 + 100 × (nodes 1 + title 1 + author (1 + 1 + 100 × 2)) = 20,501
    const response = await postJson(server, { query, variables: { n: 100 } });
    assertTooComplex(response, "complexity");
    assert.equal(response.json.errors[0].extensions.actual, 1 + 100 * (1 + 1 + 1 + 1 + 100 * 2));
    assert.equal(response.json.errors[0].extensions.limit, 5000);
    // The same shape with small pages is an ordinary query.
    const small = await postJson(server, { query, variables: { n: 5 } });
    assert.equal(small.status, 200, small.text);
    await assertStillServes(server);
  });

  test("complexity: an omitted `first` is priced at the schema default", async () => {
    // Every list defaults to 20: 20 × 20 × 20 items is far over budget though no argument is written.
    const query = "{ articles { nodes { author { articles { nodes { tags { articles { nodes { id } } } } } } } } }";
    assertTooComplex(await postJson(server, { query }), "complexity");
    await assertStillServes(server);
  });

  test("a front-page query with full cards fits the budget", async () => {
    const query = `query FrontPage {
      articles(first: 20) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node {
          id slug title lead excerpt publishedAt publishedAtText readingTimeMinutes
          featuredImage { url caption }
          author { name slug avatarUrl }
          tags { name slug }
          related(first: 5) { reason article { slug title publishedAtText } }
        } }
      }
      tags(first: 20) { nodes { slug name articleCount } }
    }`;
    const response = await postJson(server, { query });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.errors, undefined, response.text);
  });

  test("aliases: 30 are fine, 31 are refused", async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    const ok = await postJson(server, { query: aliases(30) });
    assert.equal(ok.status, 200, ok.text);
    assertTooComplex(await postJson(server, { query: aliases(31) }), "aliases");
    // The classic batching-by-alias attack: the same expensive field many times over.
    const fanOut = `{ ${Array.from({ length: 100 }, (_, i) => `q${i}: articles(first: 100) { totalCount }`).join(" ")} }`;
    assertTooComplex(await postJson(server, { query: fanOut }), "aliases");
    await assertStillServes(server);
  });

  test("directives: 20 are fine, 21 are refused", async () => {
    const directives = (n: number) => `{ ${Array.from({ length: n }, () => "__typename @include(if: true)").join(" ")} }`;
    const ok = await postJson(server, { query: directives(20) });
    assert.equal(ok.status, 200, ok.text);
    assertTooComplex(await postJson(server, { query: directives(21) }), "directives");
    await assertStillServes(server);
  });

  test("tokens: a document past 2,000 tokens is not parsed", async () => {
    const query = `{ ${"__typename ".repeat(2500)} }`;
    const response = await postJson(server, { query });
    assert.equal(response.status, 400, response.text);
    const error = firstError(response);
    assert.equal(error.extensions?.code, "GRAPHQL_PARSE_FAILED");
    assert.match(error.message, /more tha[nt] 2000 tokens/);
    await assertStillServes(server);
  });

  test("body: more than 100,000 bytes gets 413 before it is read", async () => {
    const response = await postJson(server, { query: `{ __typename } # ${"x".repeat(120_000)}` });
    assert.equal(response.status, 413);
    assert.equal(firstError(response).extensions?.code, "PAYLOAD_TOO_LARGE");
    await assertStillServes(server);
  });

  test("`first` is capped at 100 on every field that takes it", async () => {
    // Reach each type from a root lookup by slug; a new type with a paged field must be added here.
    const lookups: Record<string, string> = {
      Query: "",
      Author: `author(slug: "${authorSlug}")`,
      Tag: `tag(slug: "${tagSlug}")`,
      Article: `article(slug: "${articleSlug}")`,
    };
    const checked: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.args.some((arg) => arg.name === "first")) continue;
        assert.ok(type.name in lookups, `no way to reach ${type.name}.${field.name} in this test; add a lookup for ${type.name}`);
        const selection = isCompositeType(getNamedType(field.type)) ? "{ __typename }" : "";
        // Other required arguments (search's query) get a plain word, ids a real one, so only `first` is at fault.
        const required = field.args
          .filter((arg) => arg.name !== "first" && isNonNullType(arg.type) && arg.defaultValue === undefined)
          .map((arg) => `, ${arg.name}: "${arg.name === "webhookId" ? webhookId : "berita"}"`)
          .join("");
        for (const first of [101, -1, 2 ** 31 - 1]) {
          const fieldText = `${field.name}(first: ${first}${required}) ${selection}`;
          const query = type.name === "Query" ? `{ ${fieldText} }` : `{ ${lookups[type.name]} { ${fieldText} } }`;
          // An ADMIN reads every field, so access rules (revisions, webhook logs) do not hide the page-size check.
          const response = await postJson(server, { query }, adminHeaders);
          const error = firstError(response);
          assert.ok(["BAD_USER_INPUT", "QUERY_TOO_COMPLEX"].includes(error.extensions?.code), `${type.name}.${field.name}(first: ${first}): ${response.text}`);
          const data = response.json.data;
          const value = data && (type.name === "Query" ? data[field.name] : data[Object.keys(data)[0]]?.[field.name]);
          assert.ok(value == null, `${type.name}.${field.name}(first: ${first}) returned data`);
        }
        const ok = await postJson(
          server,
          { query: type.name === "Query" ? `{ ${field.name}(first: 100${required}) ${selection} }` : `{ ${lookups[type.name]} { ${field.name}(first: 100${required}) ${selection} } }` },
          adminHeaders,
        );
        assert.equal(ok.json.errors, undefined, `${type.name}.${field.name}(first: 100): ${ok.text}`);
        checked.push(`${type.name}.${field.name}`);
      }
    }
    assert.ok(checked.length >= 6, `checked only ${checked.join(", ")}`);
    await assertStillServes(server);
  });
});

describe("cost limits are configurable", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { MAX_QUERY_DEPTH: "2", MAX_QUERY_COMPLEXITY: "50", MAX_QUERY_ALIASES: "1", MAX_QUERY_DIRECTIVES: "0", MAX_QUERY_TOKENS: "20", MAX_BODY_BYTES: "400" },
    });
  });
  after(() => server.close());

  test("each limit follows its environment variable", async () => {
    assertTooComplex(await postJson(server, { query: "{ articles { nodes { slug } } }" }), "depth");
    assertTooComplex(await postJson(server, { query: "{ articles(first: 60) { totalCount } }" }), "complexity");
    assertTooComplex(await postJson(server, { query: "{ a: __typename b: __typename }" }), "aliases");
    assertTooComplex(await postJson(server, { query: "{ __typename @skip(if: false) }" }), "directives");
    const tokens = await postJson(server, { query: "{ __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename __typename }" });
    assert.equal(firstError(tokens).extensions?.code, "GRAPHQL_PARSE_FAILED");
    const big = await send(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(500) } }) });
    assert.equal(big.status, 413);
    const ok = await postJson(server, { query: "{ articles(first: 10) { totalCount } }" });
    assert.equal(ok.status, 200, ok.text);
    await assertStillServes(server);
  });
});
