import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { projectRoot } from "../../src/config";
import { createToken } from "../../src/services/token.service";
import { makeArticle, makeAuthor } from "../support/factories";
import { ensureDatabase, sqlQuery } from "../support/database";
import { bearer, outcome, Role } from "../support/editorial";
import { startTestServer, tempDatabaseFile, type TestServer } from "../support/server";

const run = promisify(execFile);
const DAY = 86_400_000;

describe("API tokens: authentication and lifecycle", () => {
  let server: TestServer;
  let draftId: string;
  const draftQuery = `query ($id: ID!) { article(id: $id) { id status } }`;

  before(async () => {
    server = await startTestServer();
    const article = await makeArticle(server.dataSource, { status: "draft", publishedAt: null });
    draftId = String(article.id);
  });
  after(() => server.close());

  it("serves anonymous readers without a header, and hides drafts from them", async () => {
    const response = await server.gql(draftQuery, { id: draftId });
    assert.equal(response.status, 200);
    assert.equal(response.body.data.article, null);
  });

  it("answers 401 UNAUTHENTICATED over the wire for malformed, unknown and non-bearer tokens", async () => {
    for (const authorization of ["Bearer nope", `Bearer nrt_${"A".repeat(43)}`, "Basic dXNlcjpwYXNz", "Bearer"]) {
      const response = await server.gql(draftQuery, { id: draftId }, { authorization });
      assert.equal(response.status, 401, authorization);
      assert.equal(outcome(response), "UNAUTHENTICATED", authorization);
      assert.equal(response.body.data, undefined, "no data is served with a bad token");
    }
  });

  it("answers 401 when an anonymous client calls a mutation", async () => {
    const response = await server.gql(`mutation { createTag(input: { name: "Politik" }) { id } }`);
    assert.equal(response.status, 401);
    assert.equal(outcome(response), "UNAUTHENTICATED");
  });

  it("creates, uses, lists and revokes a token; the revoked token gets 401 on its next request", async () => {
    const admin = await bearer(server, Role.ADMIN);
    const created = await server.gql(
      `mutation { createApiToken(input: { name: "newsroom script", role: EDITOR }) { secret token { id name role tokenPrefix revokedAt } } }`,
      {},
      admin.headers,
    );
    assert.equal(outcome(created), "ok");
    const { secret, token } = created.body.data.createApiToken;
    assert.match(secret, /^nrt_[A-Za-z0-9_-]{43}$/);
    assert.equal(token.tokenPrefix, secret.slice(0, 8));
    const editor = { authorization: `Bearer ${secret}` };

    const preview = await server.gql(draftQuery, { id: draftId }, editor);
    assert.equal(preview.status, 200);
    assert.deepEqual(preview.body.data.article, { id: draftId, status: "DRAFT" });

    const [stored] = await sqlQuery(server.dataSource, `SELECT token_hash FROM api_tokens WHERE id = ?`, [Number(token.id)]);
    assert.notEqual(stored.token_hash, secret, "only a hash is stored");
    assert.match(stored.token_hash, /^[0-9a-f]{64}$/);

    // The mutation's transaction is charged to it, beside the admin's token lookup.
    const second = await server.gql(`mutation { createApiToken(input: { name: "second script", role: EDITOR }) { secret } }`, {}, admin.headers);
    assert.equal(outcome(second), "ok");
    assert.ok(second.statements >= 3, `statements: ${second.statements}`);

    const listed = await server.gql(`{ apiTokens { id name role tokenPrefix lastUsedAt revokedAt } }`, {}, admin.headers);
    const entry = listed.body.data.apiTokens.find((t: any) => t.id === token.id);
    assert.equal(entry.name, "newsroom script");
    assert.notEqual(entry.lastUsedAt, null, "use is recorded");
    assert.ok(!JSON.stringify(listed.body).includes(secret), "the secret is never listed");

    const editorList = await server.gql(`{ apiTokens { id } }`, {}, editor);
    assert.equal(outcome(editorList), "FORBIDDEN", "only ADMIN manages tokens");

    const revoked = await server.gql(`mutation ($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`, { id: token.id }, admin.headers);
    assert.notEqual(revoked.body.data.revokeApiToken.revokedAt, null);
    const afterRevoke = await server.gql(draftQuery, { id: draftId }, editor);
    assert.equal(afterRevoke.status, 401);
    assert.equal(outcome(afterRevoke), "UNAUTHENTICATED");
    assert.match(afterRevoke.body.errors![0].message, /revoked/);
  });

  it("expires a token when the clock passes its expiry", async () => {
    const { secret } = await createToken(server.dataSource, "console", { name: "one-day", role: Role.EDITOR, expiresInDays: 1 }, server.clock.now());
    const headers = { authorization: `Bearer ${secret}` };
    assert.equal((await server.gql(draftQuery, { id: draftId }, headers)).status, 200);
    server.clock.advance(DAY + 60_000);
    const expired = await server.gql(draftQuery, { id: draftId }, headers);
    assert.equal(expired.status, 401);
    assert.match(expired.body.errors![0].message, /expired/);
  });

  it("refuses a CONTRIBUTOR or AUTHOR token that is not bound to an author", async () => {
    await assert.rejects(createToken(server.dataSource, "console", { name: "x", role: Role.CONTRIBUTOR }, new Date()), (error: any) => {
      assert.equal(error.extensions.code, "BAD_USER_INPUT");
      assert.ok(error.extensions.fields.authorSlug);
      return true;
    });
  });
});

describe("npm run token: the command against a database file", () => {
  const cli = path.join(projectRoot, "dist", "src", "cli", "token.js");
  const dbFile = tempDatabaseFile("token-cli");
  const token = async (...args: string[]) => run(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: await ensureDatabase(dbFile) } });

  it("creates a token whose secret works, lists it, revokes it by prefix", async () => {
    const created = await token("create", "--name", "cms import", "--role", "EDITOR", "--expires-in-days", "30");
    const secret = created.stdout.trim();
    assert.match(secret, /^nrt_[A-Za-z0-9_-]{43}$/, "stdout carries the secret alone");
    assert.match(created.stderr, /shown only now/);

    const listed = await token("list");
    const lines = listed.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^ID +PREFIX +ROLE +AUTHOR +STATE +NAME +EXPIRES +LAST USED$/);
    const line = lines.find((l) => l.includes("cms import"))!;
    assert.ok(line.includes(secret.slice(0, 8)) && line.includes("EDITOR") && line.includes("active"), line);
    // Aligned: every column starts where its header does.
    assert.equal(line.indexOf("EDITOR"), lines[0].indexOf("ROLE"));
    assert.equal(line.indexOf("cms import"), lines[0].indexOf("NAME"));
    assert.ok(!listed.stdout.includes(secret));
    const json = JSON.parse((await token("list", "--json")).stdout);
    assert.deepEqual(
      json.map((t: Record<string, unknown>) => [t.prefix, t.role, t.state, t.name, t.lastUsedAt]),
      [[secret.slice(0, 8), "EDITOR", "active", "cms import", null]],
    );

    const server = await startTestServer({ dbFile });
    try {
      const headers = { authorization: `Bearer ${secret}` };
      const used = await server.gql(`mutation { createTag(input: { name: "Ekonomi" }) { slug } }`, {}, headers);
      assert.deepEqual(used.body.data, { createTag: { slug: "ekonomi" } });

      const revoked = await token("revoke", secret.slice(0, 8));
      assert.match(revoked.stdout, /revoked token/);
      const refused = await server.gql(`{ tags { totalCount } }`, {}, headers);
      assert.equal(refused.status, 401);
      assert.match((await token("list")).stdout, /revoked +cms import/);
    } finally {
      await server.close();
    }
  });

  it("binds contributor tokens to an author and explains a missing one", async () => {
    await assert.rejects(token("create", "--name", "intern", "--role", "CONTRIBUTOR"), (error: any) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /authorSlug: a CONTRIBUTOR token must be bound to an author/);
      return true;
    });
    const server = await startTestServer({ dbFile });
    try {
      await makeAuthor(server.dataSource, { slug: "rina-wulandari" });
      const created = await token("create", "--name", "rina", "--role", "contributor", "--author", "rina-wulandari");
      const headers = { authorization: `Bearer ${created.stdout.trim()}` };
      const draft = await server.gql(
        `mutation { createArticle(input: { title: "Banjir di Kemang", lead: "Air naik.", body: "Satu.\\n\\nDua.", authorSlug: "rina-wulandari", tagSlugs: [] }) { status author { slug } } }`,
        {},
        headers,
      );
      assert.deepEqual(draft.body.data.createArticle, { status: "DRAFT", author: { slug: "rina-wulandari" } });
    } finally {
      await server.close();
    }
  });
});
