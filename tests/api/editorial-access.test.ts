import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Author } from "../../src/entities/author.entity";
import { createToken } from "../../src/services/token.service";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, fingerprint, outcome, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";

/**
 * Every mutation against every role, as a table: what each role gets, and that a refused
 * write leaves the database exactly as it was. Contributor and author tokens are bound to
 * the author "own"; "other" is somebody else's.
 */
type Who = "anonymous" | "contributor" | "author" | "editor" | "admin";
const WHO: Who[] = ["anonymous", "contributor", "author", "editor", "admin"];

interface Call {
  query: string;
  variables?: Record<string, unknown>;
}

interface Case {
  name: string;
  prepare(): Promise<Call>;
  /** Outcome per role; roles not listed get `ok`, anonymous always UNAUTHENTICATED. */
  expect: Partial<Record<Who, string>>;
  /** For allowed calls: the article status the mutation must leave. */
  status?: string;
}

describe("editorial mutations: allowed and refused per role", () => {
  let server: TestServer;
  let own: Author;
  let other: Author;
  const headers: Record<Who, Record<string, string>> = { anonymous: {}, contributor: {}, author: {}, editor: {}, admin: {} };
  const HOUR = 3_600_000;

  const draft = (author: Author) => makeArticle(server.dataSource, { author, status: "draft", publishedAt: null });
  const published = (author: Author) => makeArticle(server.dataSource, { author, status: "published", publishedAt: new Date(Date.now() - HOUR) });
  const deletedDraft = (author: Author) => makeArticle(server.dataSource, { author, status: "draft", publishedAt: null, deletedAt: new Date() });
  const deletedPublished = (author: Author) =>
    makeArticle(server.dataSource, { author, status: "published", publishedAt: new Date(Date.now() - HOUR), deletedAt: new Date() });

  const articleCall = (mutation: string, extraArgs = "", extraVars: Record<string, unknown> = {}) => async (article: { id: number }): Promise<Call> => ({
    query: `mutation ($id: ID!${Object.keys(extraVars).map((k) => `, $${k}: ${k === "at" ? "DateTime" : k === "relatedIds" ? "[ID!]!" : "UpdateArticleInput!"}`).join("")}) { ${mutation}(id: $id${extraArgs}) { id status } }`,
    variables: { id: String(article.id), ...extraVars },
  });
  const update = articleCall("updateArticle", ", input: $input", { input: { title: "Judul baru" } });
  const createFor = (author: () => Author): (() => Promise<Call>) => async () => ({
    query: `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id status } }`,
    variables: { input: { title: "Harga beras naik", lead: "Naik lagi.", body: "Satu.\n\nDua.", authorSlug: author().slug, tagSlugs: [] } },
  });
  const EDITORS_ONLY = { contributor: "FORBIDDEN", author: "FORBIDDEN" };
  const ADMIN_ONLY = { contributor: "FORBIDDEN", author: "FORBIDDEN", editor: "FORBIDDEN" };

  const cases: Case[] = [
    { name: "createArticle for own author", prepare: createFor(() => own), expect: {}, status: "DRAFT" },
    { name: "createArticle for another author", prepare: createFor(() => other), expect: EDITORS_ONLY, status: "DRAFT" },
    { name: "updateArticle own draft", prepare: async () => update(await draft(own)), expect: {}, status: "DRAFT" },
    { name: "updateArticle own published", prepare: async () => update(await published(own)), expect: { contributor: "FORBIDDEN" }, status: "PUBLISHED" },
    { name: "updateArticle other's published", prepare: async () => update(await published(other)), expect: EDITORS_ONLY },
    { name: "updateArticle other's draft (not visible)", prepare: async () => update(await draft(other)), expect: { contributor: "NOT_FOUND", author: "NOT_FOUND" } },
    { name: "publishArticle own draft now", prepare: async () => articleCall("publishArticle")(await draft(own)), expect: { contributor: "FORBIDDEN" }, status: "PUBLISHED" },
    {
      name: "publishArticle own draft at a future instant",
      prepare: async () => articleCall("publishArticle", ", at: $at", { at: new Date(Date.now() + 5 * HOUR).toISOString() })(await draft(own)),
      expect: { contributor: "FORBIDDEN" },
      status: "SCHEDULED",
    },
    { name: "publishArticle other's draft", prepare: async () => articleCall("publishArticle")(await draft(other)), expect: { contributor: "FORBIDDEN", author: "NOT_FOUND" } },
    { name: "unpublishArticle own published", prepare: async () => articleCall("unpublishArticle")(await published(own)), expect: { contributor: "FORBIDDEN" }, status: "DRAFT" },
    { name: "unpublishArticle other's published", prepare: async () => articleCall("unpublishArticle")(await published(other)), expect: EDITORS_ONLY },
    { name: "deleteArticle own draft", prepare: async () => articleCall("deleteArticle")(await draft(own)), expect: {}, status: "DELETED" },
    { name: "deleteArticle own published", prepare: async () => articleCall("deleteArticle")(await published(own)), expect: { contributor: "FORBIDDEN" }, status: "DELETED" },
    { name: "deleteArticle other's published", prepare: async () => articleCall("deleteArticle")(await published(other)), expect: EDITORS_ONLY },
    { name: "restoreArticle own deleted draft", prepare: async () => articleCall("restoreArticle")(await deletedDraft(own)), expect: {}, status: "DRAFT" },
    {
      name: "restoreArticle own deleted published",
      prepare: async () => articleCall("restoreArticle")(await deletedPublished(own)),
      expect: { contributor: "FORBIDDEN" },
      status: "PUBLISHED",
    },
    { name: "restoreArticle other's deleted published", prepare: async () => articleCall("restoreArticle")(await deletedPublished(other)), expect: { contributor: "NOT_FOUND", author: "NOT_FOUND" } },
    {
      name: "setRelatedArticles on own draft",
      prepare: async () => articleCall("setRelatedArticles", ", relatedIds: $relatedIds", { relatedIds: [String((await published(other)).id)] })(await draft(own)),
      expect: {},
      status: "DRAFT",
    },
    {
      name: "setRelatedArticles on other's published",
      prepare: async () => articleCall("setRelatedArticles", ", relatedIds: $relatedIds", { relatedIds: [String((await published(own)).id)] })(await published(other)),
      expect: EDITORS_ONLY,
    },
    { name: "createAuthor", prepare: async () => ({ query: `mutation { createAuthor(input: { name: "Dewi Lestari" }) { id } }` }), expect: EDITORS_ONLY },
    {
      name: "updateAuthor",
      prepare: async () => ({ query: `mutation ($id: ID!) { updateAuthor(id: $id, input: { bio: "Wartawan." }) { id } }`, variables: { id: String((await makeAuthor(server.dataSource)).id) } }),
      expect: EDITORS_ONLY,
    },
    {
      name: "deleteAuthor (unused)",
      prepare: async () => ({ query: `mutation ($id: ID!) { deleteAuthor(id: $id) }`, variables: { id: String((await makeAuthor(server.dataSource)).id) } }),
      expect: EDITORS_ONLY,
    },
    { name: "createTag", prepare: async () => ({ query: `mutation { createTag(input: { name: "Pemilu 2024" }) { id } }` }), expect: EDITORS_ONLY },
    {
      name: "updateTag",
      prepare: async () => ({ query: `mutation ($id: ID!) { updateTag(id: $id, input: { name: "Nama baru" }) { id } }`, variables: { id: String((await makeTag(server.dataSource)).id) } }),
      expect: EDITORS_ONLY,
    },
    {
      name: "deleteTag (unused)",
      prepare: async () => ({ query: `mutation ($id: ID!) { deleteTag(id: $id) }`, variables: { id: String((await makeTag(server.dataSource)).id) } }),
      expect: EDITORS_ONLY,
    },
    { name: "apiTokens", prepare: async () => ({ query: `{ apiTokens { id } }` }), expect: ADMIN_ONLY },
    { name: "createApiToken", prepare: async () => ({ query: `mutation { createApiToken(input: { name: "bot", role: EDITOR }) { secret } }` }), expect: ADMIN_ONLY },
    {
      name: "revokeApiToken",
      prepare: async () => {
        const { token } = await createToken(server.dataSource, "console", { name: "to revoke", role: Role.EDITOR }, new Date());
        return { query: `mutation ($id: ID!) { revokeApiToken(id: $id) { id } }`, variables: { id: String(token.id) } };
      },
      expect: ADMIN_ONLY,
    },
  ];

  before(async () => {
    server = await startTestServer();
    own = await makeAuthor(server.dataSource, { slug: "own-author" });
    other = await makeAuthor(server.dataSource, { slug: "other-author" });
    headers.contributor = (await bearer(server, Role.CONTRIBUTOR, own.slug)).headers;
    headers.author = (await bearer(server, Role.AUTHOR, own.slug)).headers;
    headers.editor = (await bearer(server, Role.EDITOR)).headers;
    headers.admin = (await bearer(server, Role.ADMIN)).headers;
  });
  after(() => server.close());

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const seen: Record<string, string> = {};
      const wanted: Record<string, string> = {};
      for (const who of WHO) {
        const call = await testCase.prepare();
        const before = await fingerprint(server);
        const response = await server.gql(call.query, call.variables, headers[who]);
        const expected = who === "anonymous" ? "UNAUTHENTICATED" : (testCase.expect[who] ?? "ok");
        seen[who] = outcome(response);
        wanted[who] = expected;
        if (expected === "ok") {
          const result = Object.values(response.body.data ?? {})[0] as { status?: string } | null;
          assert.ok(result, `${who}: data returned`);
          if (testCase.status) assert.equal(result.status, testCase.status, `${who}: resulting status`);
        } else {
          assert.equal(await fingerprint(server), before, `${who}: a refused write changes nothing`);
          if (expected === "UNAUTHENTICATED") assert.equal(response.status, 401, `${who}: HTTP 401`);
        }
      }
      assert.deepEqual(seen, wanted);
    });
  }

  it("refuses to delete an author or tag that is still in use, with CONFLICT", async () => {
    const tag = await makeTag(server.dataSource);
    const author = await makeAuthor(server.dataSource);
    await makeArticle(server.dataSource, { author, tags: [tag], deletedAt: new Date() });
    const before = await fingerprint(server);
    const tagResponse = await server.gql(`mutation ($id: ID!) { deleteTag(id: $id) }`, { id: String(tag.id) }, headers.editor);
    const authorResponse = await server.gql(`mutation ($id: ID!) { deleteAuthor(id: $id) }`, { id: String(author.id) }, headers.editor);
    assert.equal(outcome(tagResponse), "CONFLICT");
    assert.equal(outcome(authorResponse), "CONFLICT");
    assert.equal(await fingerprint(server), before);
    const missing = await server.gql(`mutation { deleteTag(id: "999999") }`, {}, headers.editor);
    assert.equal(outcome(missing), "NOT_FOUND");
  });
});
