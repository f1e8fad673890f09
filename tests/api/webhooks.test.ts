import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeAuthor, makeTag } from "../support/factories";
import { bearer, outcome, Role } from "../support/editorial";
import { dropDatabase } from "../support/database";
import { startTestServer, tempDatabaseFile, type TestServer } from "../support/server";
import { startReceiver, freePort, type Receiver } from "../support/webhook-receiver";
import { createWebhook, deliveries, eventually, verifySignature } from "../support/webhooks";

const CREATE = `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id slug } }`;
const PUBLISH = `mutation ($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { id status publishedAt } }`;

describe("change webhooks", () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let editor: Record<string, string>;
  let authorSlug: string;
  const receivers: Receiver[] = [];

  async function receiver(options?: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(options);
    receivers.push(r);
    return r;
  }

  async function draft(title: string, tagSlugs: string[] = []): Promise<{ id: string; slug: string }> {
    const res = await server.gql(CREATE, { input: { title, lead: "Lead.", body: "Satu.\n\nDua.", authorSlug, tagSlugs } }, editor);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return res.body.data.createArticle;
  }

  async function publish(id: string, at?: Date) {
    const res = await server.gql(PUBLISH, { id, at: at?.toISOString() ?? null }, editor);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return res.body.data.publishArticle;
  }

  before(async () => {
    // Quick retries so the retry and dead-state tests take a second, not minutes.
    server = await startTestServer({ env: { WEBHOOK_BACKOFF_BASE_MS: "150", WEBHOOK_MAX_ATTEMPTS: "3", WEBHOOK_POLL_MS: "200", WEBHOOK_TIMEOUT_MS: "2000" } });
    admin = (await bearer(server, Role.ADMIN)).headers;
    editor = (await bearer(server, Role.EDITOR)).headers;
    authorSlug = (await makeAuthor(server.dataSource)).slug;
    await makeTag(server.dataSource, { slug: "politik" });
  });
  after(async () => {
    await server.close();
    for (const r of receivers) await r.close();
  });

  it("refuses everyone but ADMIN: FORBIDDEN for an editor, UNAUTHENTICATED anonymously, and writes nothing", async () => {
    const attempts: [string, Record<string, unknown>][] = [
      [`mutation { createWebhook(input: { url: "http://127.0.0.1:9/x", events: [ARTICLE_PUBLISHED] }) { secret } }`, {}],
      [`{ webhooks { id } }`, {}],
      [`{ webhookDeliveries(webhookId: "1") { totalCount } }`, {}],
      [`mutation { updateWebhook(id: "1", input: { active: false }) { id } }`, {}],
      [`mutation { deleteWebhook(id: "1") }`, {}],
      [`mutation { sendTestWebhook(id: "1") { id } }`, {}],
    ];
    for (const [query] of attempts) {
      assert.equal(outcome(await server.gql(query, {}, editor)), "FORBIDDEN", query);
      assert.equal(outcome(await server.gql(query, {})), "UNAUTHENTICATED", query);
    }
    const [{ n }] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM webhooks`);
    assert.equal(Number(n), 0);
  });

  it("answers BAD_USER_INPUT naming the field for a URL that is not http(s), and for no events", async () => {
    for (const url of ["ftp://example.com/hook", "not a url", "javascript:alert(1)", "file:///etc/passwd", `http://example.com/${"a".repeat(2100)}`]) {
      const res = await server.gql(`mutation ($url: String!) { createWebhook(input: { url: $url, events: [ARTICLE_PUBLISHED] }) { secret } }`, { url }, admin);
      assert.equal(outcome(res), "BAD_USER_INPUT", url);
      assert.ok(res.body.errors![0].extensions!.fields.url, url);
    }
    const none = await server.gql(`mutation { createWebhook(input: { url: "http://127.0.0.1:9/x", events: [] }) { secret } }`, {}, admin);
    assert.equal(outcome(none), "BAD_USER_INPUT");
    assert.ok(none.body.errors![0].extensions!.fields.events);
  });

  it("announces a publish with a body receivers can use and a Standard Webhooks signature that verifies with the secret", async () => {
    const r = await receiver();
    const { id: webhookId, secret } = await createWebhook(server.gql, admin, r.url);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, "whsec_ + base64 of 32 bytes");
    const listed = await server.gql(`{ webhooks { id url events active description } }`, {}, admin);
    assert.ok(!JSON.stringify(listed.body).includes(secret.slice(6)), "the secret is never listed");

    const article = await draft("Pemilu dimulai", ["politik"]);
    const published = await publish(article.id);
    const [request] = await r.waitFor(1);
    assert.doesNotThrow(() => verifySignature(secret, request), "signature verifies");
    assert.throws(() => verifySignature(`whsec_${Buffer.alloc(32, 1).toString("base64")}`, request), "another secret does not verify");
    assert.throws(() => verifySignature(secret, { ...request, body: request.body.replace("Pemilu", "Pemilu") + " " }), "a changed body does not verify");

    assert.equal(request.headers["content-type"], "application/json");
    assert.match(String(request.headers["webhook-id"]), /^msg_[0-9a-f]{32}$/);
    const body = request.json;
    assert.equal(body.type, "article.published", "the draft's creation fired nothing: the first event is the publish");
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    assert.equal(body.data.id, article.id);
    assert.equal(body.data.slug, article.slug);
    assert.equal(body.data.publishedAt, published.publishedAt);
    assert.equal(body.data.author.slug, authorSlug);
    assert.deepEqual(body.data.tags.map((t: any) => t.slug), ["politik"]);
    assert.ok(body.data.keys.includes(`article:${article.id}`), JSON.stringify(body.data.keys));
    assert.ok(body.data.keys.includes("articles"), "a publish purges the lists too");
    assert.ok(!Number.isNaN(Date.parse(body.data.occurredAt)));

    const log = await deliveries(server.gql, admin, webhookId);
    const entry = await eventually(async () => (await deliveries(server.gql, admin, webhookId)).find((d) => d.status === "DELIVERED"));
    assert.equal(log.length, 1);
    assert.equal(entry.messageId, request.headers["webhook-id"]);
    assert.equal(entry.eventType, "article.published");
    assert.equal(entry.attempts, 1);
    assert.equal(entry.lastStatusCode, 200);
    assert.equal(typeof entry.latencyMs, "number");
    await server.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: webhookId }, admin);
  });

  it("maps content events: updates, unpublish, delete, restore, author and tag edits, in commit order; drafts and subscriptions filter", async () => {
    const all = await receiver();
    const tagsOnly = await receiver();
    const { id: allId } = await createWebhook(server.gql, admin, all.url);
    const { id: tagsId } = await createWebhook(server.gql, admin, tagsOnly.url, ["TAG_UPDATED"]);
    const article = await draft("Harga beras naik");
    await server.gql(`mutation ($id: ID!) { updateArticle(id: $id, input: { title: "Harga beras naik lagi" }) { id } }`, { id: article.id }, editor);
    await publish(article.id);
    await server.gql(`mutation ($id: ID!) { updateArticle(id: $id, input: { lead: "Baru." }) { id } }`, { id: article.id }, editor);
    await server.gql(`mutation ($id: ID!) { unpublishArticle(id: $id) { id } }`, { id: article.id }, editor);
    await publish(article.id);
    await server.gql(`mutation ($id: ID!) { deleteArticle(id: $id) { id } }`, { id: article.id }, editor);
    await server.gql(`mutation ($id: ID!) { restoreArticle(id: $id) { id } }`, { id: article.id }, editor);
    const author = await server.gql(`{ author(slug: "${authorSlug}") { id } }`);
    await server.gql(`mutation ($id: ID!) { updateAuthor(id: $id, input: { bio: "Wartawan." }) { id } }`, { id: author.body.data.author.id }, editor);
    const tag = await server.gql(`{ tag(slug: "politik") { id } }`);
    await server.gql(`mutation ($id: ID!) { updateTag(id: $id, input: { name: "Politik Nasional" }) { id } }`, { id: tag.body.data.tag.id }, editor);

    const expected = ["article.published", "article.updated", "article.unpublished", "article.published", "article.deleted", "article.restored", "author.updated", "tag.updated"];
    const received = await all.waitFor(expected.length);
    assert.deepEqual(received.map((r) => r.json.type), expected, "the draft's creation and edit fired nothing; the rest in commit order");
    assert.equal(received.find((r) => r.json.type === "author.updated")!.json.data.slug, authorSlug);
    assert.deepEqual(received.find((r) => r.json.type === "tag.updated")!.json.data.keys.sort(), [`tag:${tag.body.data.tag.id}`, "tag:all", "tags"]);
    const tagEvents = await tagsOnly.waitFor(1);
    assert.deepEqual(tagEvents.map((r) => r.json.type), ["tag.updated"], "an endpoint hears only what it subscribed to");
    assert.equal(new Set(received.map((r) => r.headers["webhook-id"])).size, expected.length, "one webhook-id per event");

    // Paused: no new events for it, while the other endpoint still hears them.
    await server.gql(`mutation ($id: ID!) { updateWebhook(id: $id, input: { active: false }) { active } }`, { id: tagsId }, admin);
    await server.gql(`mutation ($id: ID!) { updateTag(id: $id, input: { name: "Politik" }) { id } }`, { id: tag.body.data.tag.id }, editor);
    await all.waitFor(expected.length + 1);
    assert.equal((await deliveries(server.gql, admin, tagsId)).length, 1, "nothing was queued for the paused endpoint");
    for (const id of [allId, tagsId]) await server.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id }, admin);
  });

  it("retries a failing receiver with growing delays under the same webhook-id until it answers 200", async () => {
    const r = await receiver({ answers: [500, 500] });
    const { id: webhookId, secret } = await createWebhook(server.gql, admin, r.url, ["ARTICLE_PUBLISHED"]);
    const article = await draft("Banjir di Jakarta");
    await publish(article.id);
    const requests = await r.waitFor(3);
    assert.equal(new Set(requests.map((q) => q.headers["webhook-id"])).size, 1, "the same webhook-id on every attempt");
    assert.equal(new Set(requests.map((q) => q.body)).size, 1, "the same body on every attempt");
    for (const q of requests) assert.doesNotThrow(() => verifySignature(secret, q));
    const gaps = [requests[1].at - requests[0].at, requests[2].at - requests[1].at];
    assert.ok(gaps[1] > gaps[0], `delays grow: ${gaps.map(Math.round).join(" ms, ")} ms`);
    const entry = await eventually(async () => (await deliveries(server.gql, admin, webhookId)).find((d) => d.status === "DELIVERED"));
    assert.equal(entry.attempts, 3);
    assert.equal(entry.lastStatusCode, 200);
    assert.equal(entry.lastError, "HTTP 500: receiver says 500", "the last failure stays in the log");
    await server.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: webhookId }, admin);
  });

  it("gives up on a dead endpoint after WEBHOOK_MAX_ATTEMPTS and keeps the log readable", async () => {
    const url = `http://127.0.0.1:${await freePort()}/gone`;
    const failing = await receiver({ defaultStatus: 503 });
    const { id: refusedId } = await createWebhook(server.gql, admin, url, ["ARTICLE_PUBLISHED"]);
    const { id: failingId } = await createWebhook(server.gql, admin, failing.url, ["ARTICLE_PUBLISHED"]);
    const article = await draft("Gempa di Cianjur");
    await publish(article.id);
    for (const id of [refusedId, failingId]) {
      const dead = await eventually(async () => (await deliveries(server.gql, admin, id)).find((d) => d.status === "DEAD"), 10_000, "a DEAD delivery");
      assert.equal(dead.attempts, 3);
      assert.equal(dead.eventType, "article.published");
      assert.ok(dead.lastAttemptAt);
      assert.equal(dead.deliveredAt, null);
      if (id === refusedId) assert.match(dead.lastError, /request failed: ECONNREFUSED/);
      else assert.deepEqual([dead.lastStatusCode, dead.lastError], [503, "HTTP 503: receiver says 503"]);
    }
    assert.equal(failing.requests.length, 3, "no attempt after the dead state");
    const page = await server.gql(`query ($id: ID!) { webhookDeliveries(webhookId: $id, first: 1) { totalCount pageInfo { hasNextPage } edges { node { status } } } }`, { id: failingId }, admin);
    assert.equal(page.body.data.webhookDeliveries.totalCount, 1);
    const health = await server.gql(`{ webhooks { id failureStreak } }`, {}, admin);
    assert.equal(health.body.data.webhooks.find((w: any) => w.id === failingId).failureStreak, 3);
    for (const id of [refusedId, failingId]) await server.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id }, admin);
  });

  it("sends a signed webhook.test event on request", async () => {
    const r = await receiver();
    const { id: webhookId, secret } = await createWebhook(server.gql, admin, r.url, ["TAG_UPDATED"]);
    const sent = await server.gql(`mutation ($id: ID!) { sendTestWebhook(id: $id) { id eventType status messageId } }`, { id: webhookId }, admin);
    assert.equal(outcome(sent), "ok");
    assert.equal(sent.body.data.sendTestWebhook.status, "PENDING");
    const [request] = await r.waitFor(1);
    assert.equal(request.json.type, "webhook.test");
    assert.equal(request.json.data.webhookId, webhookId);
    assert.equal(request.headers["webhook-id"], sent.body.data.sendTestWebhook.messageId);
    assert.doesNotThrow(() => verifySignature(secret, request));
    const missing = await server.gql(`mutation { sendTestWebhook(id: "999999") { id } }`, {}, admin);
    assert.equal(outcome(missing), "NOT_FOUND");
    await server.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: webhookId }, admin);
  });

  it("announces a scheduled article once, when its instant comes; a moved instant counts, an unpublished schedule says nothing", async () => {
    const r = await receiver();
    const { id: webhookId } = await createWebhook(server.gql, admin, r.url, ["ARTICLE_PUBLISHED", "ARTICLE_UPDATED", "ARTICLE_UNPUBLISHED"]);
    const article = await draft("Debat capres malam ini");
    const withdrawn = await draft("Jadwal yang batal");
    // Instants far enough ahead that the five writes below finish before them on a busy machine.
    const start = server.clock.now().getTime();
    await publish(article.id, new Date(start + 4000));
    await publish(withdrawn.id, new Date(start + 2500));
    const at = new Date(start + 2500);
    await publish(article.id, at);
    await server.gql(`mutation ($id: ID!) { updateArticle(id: $id, input: { lead: "Jam 19.00." }) { id } }`, { id: article.id }, editor);
    await server.gql(`mutation ($id: ID!) { unpublishArticle(id: $id) { id } }`, { id: withdrawn.id }, editor);
    assert.equal(r.requests.length, 0, "scheduling, editing and withdrawing a scheduled article announce nothing");
    const [request] = await r.waitFor(1, 10_000);
    assert.ok(server.clock.now() >= at, "not before its instant");
    assert.equal(request.json.type, "article.published");
    assert.equal(request.json.data.id, article.id);
    assert.equal(request.json.data.occurredAt, at.toISOString(), "at the instant it was moved to");
    assert.ok(request.json.data.keys.includes("articles"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual(r.requests.map((q) => [q.json.type, q.json.data.id]), [["article.published", article.id]], "announced once, and only the article still scheduled");
    await server.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: webhookId }, admin);
  });
});

describe("change webhooks: start-up catch-up and URL policy", () => {
  it("announces a scheduled instant that passed while the server was down, once, at start-up", async () => {
    // One database outlives the first server (on PostgreSQL a server's own database is dropped with it).
    const shared = tempDatabaseFile("catch-up");
    const first = await startTestServer({ dbFile: shared });
    const r = await startReceiver();
    try {
      const admin = (await bearer(first, Role.ADMIN)).headers;
      const editor = (await bearer(first, Role.EDITOR)).headers;
      const author = await makeAuthor(first.dataSource);
      await createWebhook(first.gql, admin, r.url, ["ARTICLE_PUBLISHED"]);
      const created = await first.gql(CREATE, { input: { title: "Rapat kabinet", lead: "L.", body: "B.", authorSlug: author.slug, tagSlugs: [] } }, editor);
      const id = created.body.data.createArticle.id;
      const at = new Date(Date.now() + 800);
      await first.gql(PUBLISH, { id, at: at.toISOString() }, editor);
      await first.close();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at.getTime() - Date.now()) + 200));
      assert.equal(r.requests.length, 0, "nobody announced it while the server was down");

      const second = await startTestServer({ dbFile: shared });
      try {
        const [request] = await r.waitFor(1);
        assert.equal(request.json.type, "article.published");
        assert.equal(request.json.data.id, id);
        assert.equal(request.json.data.occurredAt, at.toISOString(), "occurredAt is the scheduled instant");
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(r.requests.length, 1);
      } finally {
        await second.close();
      }
      const third = await startTestServer({ dbFile: shared });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await third.close();
      assert.equal(r.requests.length, 1, "a later start does not announce it again");
    } finally {
      await r.close();
      await dropDatabase(shared);
    }
  });

  it("refuses private, loopback and link-local endpoints when WEBHOOK_ALLOW_PRIVATE_URLS is off", async () => {
    const server = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: "false" } });
    try {
      const admin = (await bearer(server, Role.ADMIN)).headers;
      for (const url of ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook", "http://10.1.2.3/hook", "https://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://[fd00::1]/"]) {
        const res = await server.gql(`mutation ($url: String!) { createWebhook(input: { url: $url, events: [ARTICLE_PUBLISHED] }) { secret } }`, { url }, admin);
        assert.equal(outcome(res), "BAD_USER_INPUT", url);
        assert.match(res.body.errors![0].extensions!.fields.url, /private|this machine/, url);
      }
      const publicAddress = await server.gql(`mutation { createWebhook(input: { url: "http://203.0.113.9/hook", events: [ARTICLE_PUBLISHED] }) { webhook { url } } }`, {}, admin);
      assert.equal(outcome(publicAddress), "ok", "a public address is accepted");
      const [{ n }] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM webhooks`);
      assert.equal(Number(n), 1, "only the public endpoint was saved");
    } finally {
      await server.close();
    }
  });
});
