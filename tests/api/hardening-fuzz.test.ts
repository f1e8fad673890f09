import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { assertStillServes, LEAK_PATTERNS, send } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

const FIELDS = [
  "articles", "article", "authors", "author", "tags", "tag", "nodes", "edges", "node", "cursor", "pageInfo", "totalCount",
  "hasNextPage", "endCursor", "title", "slug", "lead", "body", "related", "score", "reason", "publishedAt", "publishedAtText",
  "excerpt", "paragraphs", "status", "featuredImage", "url", "name", "articleCount", "__typename", "__schema", "types", "nope",
];
const ARGUMENTS = ["first", "after", "slug", "id", "filter", "orderBy", "length", "locale", "timeZone", "tagSlugs", "authorSlug", "x"];

/** Text that cannot by itself look like a leak when the server echoes it back in a syntax error. */
const innocent = (s: string) => !LEAK_PATTERNS.some((pattern) => pattern.test(s));
const text = fc.string({ maxLength: 40, unit: "binary" }).filter(innocent);

const literal: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "xsmall" },
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
    fc.constantFrom("0", "1", "20", "100", "101", "-1", "1.5", "1e400", "null", "true", "PUBLISHED_AT_DESC", "NAME_ASC", "ALL", "$v", "$s", '"2024-01-01T00:00:00Z"'),
    text.map((s) => JSON.stringify(s)),
    fc.array(tie("value"), { maxLength: 3 }).map((values) => `[${values.join(", ")}]`),
    fc.array(fc.tuple(fc.constantFrom(...ARGUMENTS), tie("value")), { maxLength: 3 }).map((pairs) => `{ ${pairs.map(([k, v]) => `${k}: ${v}`).join(", ")} }`),
  ),
})).value;

const selectionSet: fc.Arbitrary<string> = fc.letrec<{ set: string; field: string }>((tie) => ({
  field: fc
    .tuple(
      fc.option(fc.constantFrom("a", "b", "x1"), { nil: undefined }),
      fc.constantFrom(...FIELDS),
      fc.array(fc.tuple(fc.constantFrom(...ARGUMENTS), literal), { maxLength: 3 }),
      fc.option(tie("set"), { nil: undefined, depthSize: "xsmall" }),
      fc.option(fc.constantFrom("@include(if: true)", "@skip(if: $b)", "@deprecated", "@nope"), { nil: undefined, freq: 8 }),
    )
    .map(([alias, name, args, set, directive]) => `${alias ? `${alias}: ` : ""}${name}${args.length ? `(${args.map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""}${directive ? ` ${directive}` : ""}${set ? ` ${set}` : ""}`),
  set: fc.array(tie("field"), { minLength: 1, maxLength: 3 }).map((fields) => `{ ${fields.join(" ")} }`),
})).set;

const randomDocument = fc
  .tuple(
    fc.constantFrom("", "query ", "query Q ", "query Q($v: Int, $s: String, $b: Boolean!) ", "mutation M ", "subscription S ", "query Q($v: ArticleFilter) "),
    selectionSet,
    fc.option(fc.constantFrom("fragment F on Article { slug ...F }", "fragment F on Query { __typename }", "fragment F on Nope { x }"), { nil: "" }),
  )
  .map(([head, set, fragment]) => `${head}${set} ${fragment}`);

/** Real queries with hostile values in every argument: these get past validation into resolvers and SQL. */
const int = fc.oneof(fc.constantFrom(0, 1, 5, 20, 100, 101, -1, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -5, max: 120 })).map(String);
const printable = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ maxLength: 10, unit: "grapheme" })).filter(innocent);
const str = fc.oneof(printable, fc.constantFrom("", "article-1", "id", "en", "Asia/Jakarta", "Mars/Olympus", "eyJ4IjoxfQ", "WzEsMV0")).map((v) => JSON.stringify(v));
const order = fc.constantFrom("PUBLISHED_AT_DESC", "PUBLISHED_AT_ASC", "UPDATED_AT_DESC", "NAME_ASC", "ARTICLE_COUNT_DESC", "NOPE");
const templatedDocument = fc.oneof(
  fc.tuple(int, str, str).map(([n, after, tag]) => `query Q($b: Boolean = true) { articles(first: ${n}, after: ${after}, filter: { tagSlugs: [${tag}] }) { totalCount pageInfo { hasNextPage endCursor } nodes { slug title @include(if: $b) status author { name } tags { slug } } } }`),
  fc.tuple(str, int, str, str, int).map(([slug, len, locale, zone, n]) => `query Q { article(slug: ${slug}) { title excerpt(length: ${len}) publishedAtText(locale: ${locale}, timeZone: ${zone}) paragraphs readingTimeMinutes related(first: ${n}) { score reason article { slug } } } }`),
  fc.tuple(int, order, int, str).map(([n, o, m, after]) => `{ authors(first: ${n}, orderBy: ${o}) { nodes { slug articleCount articles(first: ${m}, after: ${after}) { totalCount nodes { slug } } } } }`),
  fc.tuple(int, order, int).map(([n, o, m]) => `{ tags(first: ${n}, orderBy: ${o}) { edges { cursor node { slug articleCount articles(first: ${m}) { nodes { slug } } } } } }`),
  fc.constantFrom(
    "query Q($v: ArticleFilter) { articles(filter: $v) { totalCount } }",
    "query Q($v: Int, $s: String) { articles(first: $v, after: $s) { edges { cursor } } }",
    "query Q($s: String) { article(slug: $s) { slug } author(slug: $s) { slug } tag(slug: $s) { slug } }",
    "query Q($s: ID) { article(id: $s) { slug } }",
  ),
);

const document = fc.oneof({ arbitrary: templatedDocument, weight: 4 }, { arbitrary: randomDocument, weight: 2 });

/** Random edits of a generated document: the half-broken text a careless client or an attacker sends. */
const mutatedDocument = fc
  .tuple(document, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 }), fc.string({ maxLength: 4, unit: "binary" })), { minLength: 1, maxLength: 5 }))
  .map(([doc, edits]) => edits.reduce((d, [at, remove, insert]) => d.slice(0, at % (d.length + 1)) + insert + d.slice((at % (d.length + 1)) + remove), doc))
  .filter(innocent);

const variables = fc.option(
  fc.dictionary(
    fc.constantFrom("v", "s", "b", "first", "slug", "filter"),
    fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ tagSlugs: fc.array(text, { maxLength: 3 }), authorSlug: text, tagMatch: fc.constantFrom("ANY", "ALL", "SOME"), statuses: fc.constantFrom(["DRAFT"], ["DELETED", "PUBLISHED"], "x") }, { requiredKeys: [] })),
    { maxKeys: 4 },
  ),
  { nil: undefined },
);

type FuzzRequest = { method: "GET" | "POST"; body?: string; search?: string; contentType?: string };

const graphqlRequest = fc
  .tuple(fc.oneof(document, mutatedDocument, text), variables, fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom("Q", "M", "S", "nope"), weight: 1 }), fc.boolean())
  .map(([query, vars, operationName, viaGet]): FuzzRequest => {
    if (viaGet) {
      const params = new URLSearchParams({ query });
      if (vars) params.set("variables", JSON.stringify(vars));
      if (operationName) params.set("operationName", operationName);
      return { method: "GET", search: `?${params.toString()}` };
    }
    return { method: "POST", body: JSON.stringify({ query, variables: vars, operationName }), contentType: "application/json" };
  });

const oddBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value): FuzzRequest => ({ method: "POST", body: JSON.stringify(value), contentType: "application/json" })),
  text.map((body): FuzzRequest => ({ method: "POST", body, contentType: "application/json" })),
  text.map((body): FuzzRequest => ({ method: "POST", body, contentType: "application/graphql" })),
);

const anyRequest = fc.oneof({ arbitrary: graphqlRequest, weight: 8 }, { arbitrary: oddBody, weight: 2 }).filter((r) => innocent(`${r.body ?? ""}${decodeURIComponent(r.search ?? "")}`));

describe("fuzzing the HTTP endpoint", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const author = await makeAuthor(server.dataSource);
    const tag = await makeTag(server.dataSource);
    for (let i = 0; i < 3; i++) await makeArticle(server.dataSource, { author, tags: [tag] });
  });
  after(() => server.close());

  test(`${RUNS} random and mutated documents and variables: no 5xx, no leaked internals, the server keeps answering`, async () => {
    const seen = { statuses: new Map<number, number>() };
    await fc.assert(
      fc.asyncProperty(anyRequest, async (request) => {
        const started = Date.now();
        if (process.env.FUZZ_TRACE) console.error("->", JSON.stringify(request).slice(0, 300));
        const response = await send(`${server.url}${request.search ?? ""}`, {
          method: request.method,
          headers: { "apollo-require-preflight": "true", ...(request.contentType ? { "content-type": request.contentType } : {}) },
          body: request.body,
        });
        if (process.env.FUZZ_TRACE) console.error("<-", response.status, Date.now() - started, "ms", response.text.slice(0, 200));
        seen.statuses.set(response.status, (seen.statuses.get(response.status) ?? 0) + 1);
        assert.ok(response.status < 500, `${response.status}: ${response.text}`);
        for (const pattern of LEAK_PATTERNS) assert.doesNotMatch(response.text, pattern);
        assert.ok(response.json, `not JSON: ${response.text.slice(0, 200)}`);
        for (const error of response.json.errors ?? []) assert.notEqual(error.extensions?.code, "INTERNAL_SERVER_ERROR", response.text);
      }),
      { numRuns: RUNS, endOnFailure: true, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
    );
    // The fuzz must have reached execution, not only the parser, to mean anything.
    assert.ok((seen.statuses.get(200) ?? 0) > RUNS / 20, `statuses: ${JSON.stringify([...seen.statuses])}`);
    await assertStillServes(server);
  });
});
