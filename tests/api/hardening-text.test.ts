import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, fingerprint, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";

/**
 * NUL and unpaired UTF-16 surrogates are refused in every string a mutation takes, by one
 * central check (src/graphql/validation.ts): NUL truncates text in C libraries and cannot be
 * stored by PostgreSQL, and a lone surrogate has no UTF-8 form (it was written as bytes that
 * read back as three U+FFFD).
 */
const NUL = "\u0000";
const LONE_HIGH = "\ud800";
const LONE_LOW = "\udc00";

describe("bad characters in mutation inputs", () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let articleId: string;
  let tagId: string;
  let authorId: string;

  before(async () => {
    server = await startTestServer();
    admin = (await bearer(server, Role.ADMIN)).headers;
    const author = await makeAuthor(server.dataSource, { slug: "penulis" });
    const tag = await makeTag(server.dataSource, { slug: "umum" });
    const article = await makeArticle(server.dataSource, { author, tags: [tag] });
    [articleId, tagId, authorId] = [String(article.id), String(tag.id), String(author.id)];
  });
  after(() => server.close());

  const createInput = (fields: Record<string, unknown> = {}) => ({ title: "Judul", lead: "Lead.", body: "Isi.", authorSlug: "penulis", tagSlugs: ["umum"], ...fields });

  /** Each write, with the variables that carry the bad text and the field the error must name. */
  const cases = (bad: string): [string, string, Record<string, unknown>, string][] => [
    ["createArticle title", `mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }`, { input: createInput({ title: `Judul ${bad} baru` }) }, "title"],
    ["createArticle body", `mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }`, { input: createInput({ body: `Isi${bad}` }) }, "body"],
    ["nested featuredImage.caption", `mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }`, { input: createInput({ featuredImage: { url: "https://x.test/a.jpg", caption: `Foto ${bad}` } }) }, "featuredImage.caption"],
    ["a list item", `mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }`, { input: createInput({ tagSlugs: ["umum", `umum${bad}`] }) }, "tagSlugs"],
    ["updateArticle lead", `mutation($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id } }`, { id: articleId, input: { lead: `${bad}` } }, "lead"],
    ["an ID argument", `mutation($id: ID!) { publishArticle(id: $id) { id } }`, { id: `${articleId}${bad}` }, "id"],
    ["createTag name", `mutation($input: CreateTagInput!) { createTag(input: $input) { id } }`, { input: { name: `Tag${bad}` } }, "name"],
    ["updateTag description", `mutation($id: ID!, $input: UpdateTagInput!) { updateTag(id: $id, input: $input) { id } }`, { id: tagId, input: { description: `a${bad}b` } }, "description"],
    ["updateAuthor bio", `mutation($id: ID!, $input: UpdateAuthorInput!) { updateAuthor(id: $id, input: $input) { id } }`, { id: authorId, input: { bio: `Bio ${bad}` } }, "bio"],
    ["createApiToken name", `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret } }`, { input: { name: `robot${bad}`, role: "EDITOR" } }, "name"],
  ];

  for (const [label, bad] of [
    ["NUL", NUL],
    ["a lone high surrogate", LONE_HIGH],
    ["a lone low surrogate", LONE_LOW],
    ["a reversed pair", `${LONE_LOW}${LONE_HIGH}`],
  ] as const) {
    test(`${label} is refused with BAD_USER_INPUT naming the field, and nothing is written`, async () => {
      const before = await fingerprint(server);
      for (const [what, query, variables, field] of cases(bad)) {
        const response = await server.gql(query, variables, admin);
        const error = response.body.errors?.[0];
        assert.equal(error?.extensions?.code, "BAD_USER_INPUT", `${what}: ${JSON.stringify(response.body)}`);
        assert.ok(error?.extensions?.fields?.[field], `${what}: fields ${JSON.stringify(error?.extensions?.fields)}`);
        assert.equal(response.body.data?.[Object.keys(response.body.data ?? {})[0]] ?? null, null, what);
      }
      assert.equal(await fingerprint(server), before);
    });
  }

  test("written inline in the document, as a GraphQL escape, it is refused too", async () => {
    const response = await server.gql(`mutation { createTag(input: { name: "Tag\\u0000" }) { id } }`, {}, admin);
    assert.equal(response.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(response.body));
    assert.deepEqual(Object.keys(response.body.errors[0].extensions.fields), ["name"]);
  });

  test("well-formed text, surrogate pairs (emoji) and other scripts included, is stored and read back exactly", async () => {
    const title = "Gempa 🌋 di Jawa — 東京 \u00e9\u0301 \t tab";
    const created = await server.gql(`mutation($input: CreateArticleInput!) { createArticle(input: $input) { id title } }`, { input: createInput({ title }) }, admin);
    assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
    assert.equal(created.body.data.createArticle.title, title);
    const read = await server.gql(`query($id: ID!) { article(id: $id) { title } }`, { id: created.body.data.createArticle.id }, admin);
    assert.equal(read.body.data.article.title, title);
  });
});
