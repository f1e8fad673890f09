import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Author } from "../../src/entities/author.entity";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { ARTICLE_FIELDS, bearer, fingerprint, outcome, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";

const CREATE = `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { ${ARTICLE_FIELDS} body paragraphs featuredImage { url caption } timeZone } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { ${ARTICLE_FIELDS} featuredImage { url caption } } }`;
const REVISIONS = `query ($id: ID) { article(id: $id) { revisions { revision action title editedBy createdAt tagIds relatedIds status } } }`;

describe("article writes: slugs, revisions, conflicts, validation, no partial writes", () => {
  let server: TestServer;
  let desk: Author;
  let editor: Record<string, string>;
  let otherEditor: Record<string, string>;
  let contributor: Record<string, string>;
  const input = (fields: Record<string, unknown> = {}) => ({
    title: "Harga Cabai Naik",
    lead: "Pedagang mengeluh.",
    body: "Paragraf satu.\n\nParagraf dua.",
    authorSlug: desk.slug,
    tagSlugs: [],
    ...fields,
  });

  before(async () => {
    server = await startTestServer();
    desk = await makeAuthor(server.dataSource, { slug: "redaksi" });
    editor = (await bearer(server, Role.EDITOR, undefined, "Rina (editor)")).headers;
    otherEditor = (await bearer(server, Role.EDITOR, undefined, "Budi (editor)")).headers;
    contributor = (await bearer(server, Role.CONTRIBUTOR, desk.slug, "Sari (contributor)")).headers;
  });
  after(() => server.close());

  it("derives unique ASCII slugs from Indonesian titles; a clash gets a suffix", async () => {
    const title = "Jum'at Berkah: Harga Cabai Naik 20% di Pasar Senen";
    const first = await server.gql(CREATE, { input: input({ title }) }, editor);
    const second = await server.gql(CREATE, { input: input({ title }) }, editor);
    const explicit = await server.gql(CREATE, { input: input({ slug: "jumat-berkah-harga-cabai-naik-20-di-pasar-senen" }) }, editor);
    assert.equal(first.body.data.createArticle.slug, "jumat-berkah-harga-cabai-naik-20-di-pasar-senen");
    assert.equal(second.body.data.createArticle.slug, "jumat-berkah-harga-cabai-naik-20-di-pasar-senen-2");
    assert.equal(explicit.body.data.createArticle.slug, "jumat-berkah-harga-cabai-naik-20-di-pasar-senen-3");
    const symbols = await server.gql(CREATE, { input: input({ title: "!!! ???" }) }, editor);
    assert.equal(symbols.body.data.createArticle.slug, "artikel");
  });

  it("stores the body with LF paragraphs, counts words, starts as a draft in the default zone", async () => {
    const response = await server.gql(CREATE, { input: input({ body: "  Satu dua tiga.\r\n\r\nEmpat lima.\r\n", featuredImage: { url: "https://img.example.id/a.jpg", caption: "Pasar" } }) }, editor);
    const article = response.body.data.createArticle;
    assert.equal(article.body, "Satu dua tiga.\n\nEmpat lima.");
    assert.deepEqual(article.paragraphs, ["Satu dua tiga.", "Empat lima."]);
    assert.equal(article.wordCount, 5);
    assert.equal(article.status, "DRAFT");
    assert.equal(article.publishedAt, null);
    assert.equal(article.timeZone, "Asia/Jakarta");
    assert.deepEqual(article.featuredImage, { url: "https://img.example.id/a.jpg", caption: "Pasar" });
  });

  it("keeps every version as a revision, newest first, with who and when", async () => {
    const created = (await server.gql(CREATE, { input: input({ title: "Versi satu" }) }, editor)).body.data.createArticle;
    server.clock.advance(60_000);
    await server.gql(UPDATE, { id: created.id, input: { title: "Versi dua" } }, otherEditor);
    server.clock.advance(60_000);
    const tag = await makeTag(server.dataSource, { slug: "ekonomi" });
    await server.gql(UPDATE, { id: created.id, input: { title: "Versi tiga", tagSlugs: ["ekonomi"] } }, editor);
    const { revisions } = (await server.gql(REVISIONS, { id: created.id }, editor)).body.data.article;
    assert.deepEqual(
      revisions.map((r: any) => [r.revision, r.action, r.title, r.editedBy, r.tagIds]),
      [
        [3, "update", "Versi tiga", "Rina (editor)", [String(tag.id)]],
        [2, "update", "Versi dua", "Budi (editor)", []],
        [1, "create", "Versi satu", "Rina (editor)", []],
      ],
    );
    const times = revisions.map((r: any) => Date.parse(r.createdAt));
    assert.ok(times[0] > times[1] && times[1] > times[2], "newest first, each at its own instant");
  });

  it("keeps the original of an imported article before its first edit", async () => {
    const imported = await makeArticle(server.dataSource, { author: desk, title: "Judul asli" });
    await server.gql(UPDATE, { id: String(imported.id), input: { title: "Judul disunting" } }, editor);
    const { revisions } = (await server.gql(REVISIONS, { id: String(imported.id) }, editor)).body.data.article;
    assert.deepEqual(revisions.map((r: any) => [r.action, r.title]), [["update", "Judul disunting"], ["import", "Judul asli"]]);
  });

  it("fails an update based on a stale updatedAt with CONFLICT and changes nothing", async () => {
    const created = (await server.gql(CREATE, { input: input({ title: "Dasar" }) }, editor)).body.data.createArticle;
    const base = created.updatedAt;
    const first = await server.gql(UPDATE, { id: created.id, input: { title: "Suntingan Rina", expectedUpdatedAt: base } }, editor);
    assert.equal(outcome(first), "ok");
    assert.notEqual(first.body.data.updateArticle.updatedAt, base, "every save moves updatedAt");

    const before = await fingerprint(server);
    const stale = await server.gql(UPDATE, { id: created.id, input: { title: "Suntingan Budi", body: "Isi lain.", expectedUpdatedAt: base } }, otherEditor);
    assert.equal(outcome(stale), "CONFLICT");
    assert.equal(await fingerprint(server), before);
    const current = (await server.gql(`query ($id: ID) { article(id: $id) { title body updatedAt } }`, { id: created.id }, editor)).body.data.article;
    assert.equal(current.title, "Suntingan Rina");
    assert.equal(current.updatedAt, first.body.data.updateArticle.updatedAt);

    const rebased = await server.gql(UPDATE, { id: created.id, input: { title: "Suntingan Budi", expectedUpdatedAt: current.updatedAt } }, otherEditor);
    assert.equal(rebased.body.data.updateArticle.title, "Suntingan Budi");
    const { revisions } = (await server.gql(REVISIONS, { id: created.id }, editor)).body.data.article;
    assert.deepEqual(revisions.map((r: any) => r.title), ["Suntingan Budi", "Suntingan Rina", "Dasar"], "nothing anyone saved is lost");
  });

  it("shows revisions only to tokens that may edit the article", async () => {
    const own = (await server.gql(CREATE, { input: input() }, contributor)).body.data.createArticle;
    const ownRevisions = await server.gql(REVISIONS, { id: own.id }, contributor);
    assert.equal(ownRevisions.body.data.article.revisions.length, 1);
    await server.gql(`mutation ($id: ID!) { publishArticle(id: $id) { id } }`, { id: own.id }, editor);
    const afterPublish = await server.gql(REVISIONS, { id: own.id }, contributor);
    assert.equal(outcome(afterPublish), "FORBIDDEN", "a contributor may no longer edit it once published");
    const anonymous = await server.gql(REVISIONS, { id: own.id });
    assert.equal(outcome(anonymous), "FORBIDDEN");
    assert.equal(anonymous.status, 200);
  });

  it("clears the featured image with an explicit null and keeps it when omitted", async () => {
    const created = (await server.gql(CREATE, { input: input({ featuredImage: { url: "https://img.example.id/b.jpg" } }) }, editor)).body.data.createArticle;
    const untouched = await server.gql(UPDATE, { id: created.id, input: { lead: "Lead baru." } }, editor);
    assert.deepEqual(untouched.body.data.updateArticle.featuredImage, { url: "https://img.example.id/b.jpg", caption: null });
    const cleared = await server.gql(UPDATE, { id: created.id, input: { featuredImage: null } }, editor);
    assert.equal(cleared.body.data.updateArticle.featuredImage, null);
  });

  it("names every invalid field, nested ones included, and writes nothing", async () => {
    const before = await fingerprint(server);
    const response = await server.gql(
      CREATE,
      { input: input({ title: "   ", slug: "Bukan Slug!", timeZone: "Asia/Atlantis", featuredImage: { url: "javascript:alert(1)" }, tagSlugs: ["OK no"] }) },
      editor,
    );
    assert.equal(outcome(response), "BAD_USER_INPUT");
    const fields = response.body.errors![0].extensions!.fields;
    assert.deepEqual(Object.keys(fields).sort(), ["featuredImage.url", "slug", "tagSlugs", "timeZone", "title"]);
    assert.ok(!JSON.stringify(response.body).includes("javascript:"), "submitted values are not echoed back");
    assert.equal(await fingerprint(server), before);

    const badDate = await server.gql(`mutation ($at: DateTime) { publishArticle(id: "1", at: $at) { id } }`, { at: "kemarin" }, editor);
    assert.equal(badDate.body.errors![0].extensions!.code, "BAD_USER_INPUT");
    assert.match(badDate.body.errors![0].message, /\$at/);
    const badId = await server.gql(`mutation { deleteArticle(id: "abc") { id } }`, {}, editor);
    assert.deepEqual(badId.body.errors![0].extensions!.fields, { id: "not an id" });
  });

  it("writes no article when one tag is unknown; editors get the tag created instead", async () => {
    await makeTag(server.dataSource, { slug: "politik" });
    const before = await fingerprint(server);
    const refused = await server.gql(CREATE, { input: input({ tagSlugs: ["politik", "tidak-ada", "juga-tidak"] }) }, contributor);
    assert.equal(outcome(refused), "BAD_USER_INPUT");
    assert.match(refused.body.errors![0].extensions!.fields.tagSlugs, /tidak-ada, juga-tidak/);
    assert.equal(await fingerprint(server), before, "no article, no tag, no revision");

    const created = await server.gql(CREATE, { input: input({ tagSlugs: ["politik", "pemilu-2024"] }) }, editor);
    assert.deepEqual(created.body.data.createArticle.tags, [{ slug: "politik" }, { slug: "pemilu-2024" }]);
    const tag = await server.gql(`{ tag(slug: "pemilu-2024") { name } }`, {}, editor);
    assert.deepEqual(tag.body.data.tag, { name: "Pemilu 2024" });
    // Only a draft carries it: the public does not learn of it yet (tests/api/tag-visibility.test.ts).
    const anonymous = await server.gql(`{ tag(slug: "pemilu-2024") { name } }`);
    assert.equal(anonymous.body.data.tag, null);
  });

  it("sets related articles in order, refusing unknown ids and the article itself", async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => makeArticle(server.dataSource, { author: desk })));
    const SET = `mutation ($id: ID!, $ids: [ID!]!) { setRelatedArticles(id: $id, relatedIds: $ids) { related { article { id } reason } } }`;
    const ok = await server.gql(SET, { id: String(a.id), ids: [String(c.id), String(b.id)] }, editor);
    assert.deepEqual(
      ok.body.data.setRelatedArticles.related.filter((r: any) => r.reason === "EDITOR_PICK").map((r: any) => Number(r.article.id)),
      [c.id, b.id],
    );
    const before = await fingerprint(server);
    const unknown = await server.gql(SET, { id: String(a.id), ids: [String(b.id), "987654"] }, editor);
    assert.match(unknown.body.errors![0].extensions!.fields.relatedIds, /987654/);
    const self = await server.gql(SET, { id: String(a.id), ids: [String(a.id)] }, editor);
    assert.equal(outcome(self), "BAD_USER_INPUT");
    assert.equal(await fingerprint(server), before);
  });

  it("soft-deletes and restores: the article, its slug and tags come back whole", async () => {
    const tag = await makeTag(server.dataSource);
    const article = await makeArticle(server.dataSource, { author: desk, tags: [tag], slug: "hapus-lalu-pulih" });
    const deleted = await server.gql(`mutation ($id: ID!) { deleteArticle(id: $id) { status deletedAt } }`, { id: String(article.id) }, editor);
    assert.equal(deleted.body.data.deleteArticle.status, "DELETED");
    assert.equal((await server.gql(`{ article(slug: "hapus-lalu-pulih") { id } }`)).body.data.article, null);
    const restored = await server.gql(`mutation ($id: ID!) { restoreArticle(id: $id) { status slug tags { slug } } }`, { id: String(article.id) }, editor);
    assert.deepEqual(restored.body.data.restoreArticle, { status: "PUBLISHED", slug: "hapus-lalu-pulih", tags: [{ slug: tag.slug }] });
    assert.notEqual((await server.gql(`{ article(slug: "hapus-lalu-pulih") { id } }`)).body.data.article, null);
  });
});
