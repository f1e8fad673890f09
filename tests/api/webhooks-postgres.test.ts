import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DataSource } from "typeorm";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { createToken } from "../../src/services/token.service";
import { Role } from "../../src/viewer";
import { createPostgresDatabase, dropDatabase, postgresAnswers } from "../support/database";
import { spawnServer, type SpawnedServer } from "../support/spawn-server";
import { startReceiver, type Receiver } from "../support/webhook-receiver";
import { createWebhook, eventually, verifySignature } from "../support/webhooks";

/**
 * Two server processes on one PostgreSQL database, both delivering: every event reaches the
 * endpoint once (the instances claim rows with FOR UPDATE SKIP LOCKED and a lease), whichever
 * instance committed it. Skipped where no PostgreSQL answers.
 */
describe("webhooks with two instances on PostgreSQL", async () => {
  const available = await postgresAnswers();
  let url = "";
  const servers: SpawnedServer[] = [];
  let dataSource: DataSource | null = null;
  let receiver: Receiver | null = null;
  let scheduledReceiver: Receiver | null = null;
  let env: Record<string, string>;

  before(async () => {
    if (!available) return;
    url = await createPostgresDatabase("webhooks");
    // A short poll makes the two instances race for the same rows all the time.
    env = { DATABASE_URL: url, WEBHOOK_POLL_MS: "20", WEBHOOK_BACKOFF_BASE_MS: "200" };
    // One after the other: the first migrates and seeds, the second finds it done.
    servers.push(await spawnServer(env));
    servers.push(await spawnServer(env));
    dataSource = await openDatabase(loadConfig(env).database);
  });
  after(async () => {
    if (!available) return;
    for (const server of servers) await server.stop();
    await dataSource?.destroy();
    await receiver?.close();
    await scheduledReceiver?.close();
    await dropDatabase(url);
  });

  it("delivers each event once per endpoint, whichever instance wrote it", { skip: !available && "no PostgreSQL at 127.0.0.1:5432" }, async (t) => {
    const [a, b] = servers;
    const adminAuth = { authorization: `Bearer ${(await createToken(dataSource!, "console", { name: "admin", role: Role.ADMIN }, new Date())).secret}` };
    const editor = { authorization: `Bearer ${(await createToken(dataSource!, "console", { name: "editor", role: Role.EDITOR }, new Date())).secret}` };
    receiver = await startReceiver();
    const { id: webhookId, secret } = await createWebhook(a.gql, adminAuth, receiver.url, ["ARTICLE_UPDATED"]);

    const list = await b.gql(`{ articles(first: 100) { nodes { id } } }`);
    const ids: string[] = list.body.data.articles.nodes.map((n: { id: string }) => n.id);
    assert.ok(ids.length >= 10);
    const rounds = 2;
    for (let round = 0; round < rounds; round++) {
      // Concurrent edits, half through each instance.
      const results = await Promise.all(
        ids.map((id, i) =>
          (i % 2 ? a : b).gql(`mutation ($id: ID!, $lead: String!) { updateArticle(id: $id, input: { lead: $lead }) { id } }`, { id, lead: `Ronde ${round} artikel ${id}.` }, editor),
        ),
      );
      for (const r of results) assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    }
    const expected = ids.length * rounds;
    await receiver.waitFor(expected, 20_000);
    // Let any duplicate that would come, come.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(receiver.requests.length, expected, "no event twice");
    const messageIds = receiver.requests.map((r) => String(r.headers["webhook-id"]));
    assert.equal(new Set(messageIds).size, expected, "every webhook-id once");
    for (const request of receiver.requests) assert.doesNotThrow(() => verifySignature(secret, request));
    const perArticle = new Map<string, number>();
    for (const r of receiver.requests) perArticle.set(r.json.data.id, (perArticle.get(r.json.data.id) ?? 0) + 1);
    assert.deepEqual([...new Set(perArticle.values())], [rounds], "each article's edits, all of them");

    const rows = await eventually(async () => {
      const found = await dataSource!.query(`SELECT status, attempts, claimed_by FROM webhook_deliveries WHERE webhook_id = $1`, [Number(webhookId)]);
      return found.every((row: { status: string }) => row.status === "delivered") ? found : undefined;
    });
    assert.equal(rows.length, expected);
    assert.ok(rows.every((row: { attempts: number }) => row.attempts === 1), "no row was attempted twice");
    const byInstance = new Map<string, number>();
    for (const row of rows) byInstance.set(row.claimed_by, (byInstance.get(row.claimed_by) ?? 0) + 1);
    t.diagnostic(`deliveries per instance: ${JSON.stringify(Object.fromEntries(byInstance))}`);
  });

  it("announces a scheduled publish once, though both instances watch the instant", { skip: !available && "no PostgreSQL at 127.0.0.1:5432" }, async () => {
    const [a, b] = servers;
    const adminAuth = { authorization: `Bearer ${(await createToken(dataSource!, "console", { name: "admin 2", role: Role.ADMIN }, new Date())).secret}` };
    const editor = { authorization: `Bearer ${(await createToken(dataSource!, "console", { name: "editor 2", role: Role.EDITOR }, new Date())).secret}` };
    scheduledReceiver = await startReceiver();
    await createWebhook(b.gql, adminAuth, scheduledReceiver.url, ["ARTICLE_PUBLISHED"]);
    const created = await a.gql(
      `mutation { createArticle(input: { title: "Sidang kabinet", lead: "L.", body: "B.", authorSlug: "arpan-rachman", tagSlugs: [] }) { id } }`,
      {},
      editor,
    );
    assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
    const id = created.body.data.createArticle.id;
    const at = new Date(Date.now() + 2500);
    const scheduled = await a.gql(`mutation ($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { id } }`, { id, at: at.toISOString() }, editor);
    assert.equal(scheduled.body.errors, undefined, JSON.stringify(scheduled.body.errors));
    const [request] = await scheduledReceiver.waitFor(1, 15_000);
    assert.ok(Date.now() >= at.getTime(), "not before its instant");
    assert.deepEqual([request.json.type, request.json.data.id, request.json.data.occurredAt], ["article.published", id, at.toISOString()]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(scheduledReceiver.requests.length, 1, "one announcement, not one per instance");
  });
});
