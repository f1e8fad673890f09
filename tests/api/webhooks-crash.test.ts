import assert from "node:assert/strict";
import { after, it } from "node:test";
import type { DataSource } from "typeorm";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { createToken } from "../../src/services/token.service";
import { Role } from "../../src/viewer";
import { ensureDatabase } from "../support/database";
import { tempDatabaseFile } from "../support/server";
import { spawnServer, type SpawnedServer } from "../support/spawn-server";
import { freePort, startReceiver, type Receiver } from "../support/webhook-receiver";
import { createWebhook, deliveries, eventually, verifySignature } from "../support/webhooks";

/**
 * The outbox's promise, tested on the real entry point: a change that committed is delivered
 * even when the server is killed (`kill -9`, no shutdown code) before it could deliver it.
 */
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

it("delivers an event committed before a kill -9, after the restart, under the same webhook-id", async () => {
  const dbFile = tempDatabaseFile("webhook-crash");
  const env = { DATABASE_URL: await ensureDatabase(dbFile), WEBHOOK_BACKOFF_BASE_MS: "300", WEBHOOK_POLL_MS: "200", WEBHOOK_TIMEOUT_MS: "2000" };
  let first: SpawnedServer | null = await spawnServer(env);
  cleanup.push(() => first?.stop() ?? Promise.resolve());

  // Tokens straight through the token service on the same file, as `npm run token` would.
  const dataSource: DataSource = await openDatabase(loadConfig(env).database);
  cleanup.push(() => dataSource.destroy());
  const admin = { authorization: `Bearer ${(await createToken(dataSource, "console", { name: "admin", role: Role.ADMIN }, new Date())).secret}` };
  const editor = { authorization: `Bearer ${(await createToken(dataSource, "console", { name: "editor", role: Role.EDITOR }, new Date())).secret}` };

  // The receiver is down: its port refuses connections.
  const port = await freePort();
  const { id: webhookId, secret } = await createWebhook(first.gql, admin, `http://127.0.0.1:${port}/hook`, ["ARTICLE_UPDATED"]);
  const live = await first.gql(`{ articles(first: 1) { nodes { id slug } } }`);
  const article = live.body.data.articles.nodes[0];
  const edit = await first.gql(`mutation ($id: ID!) { updateArticle(id: $id, input: { lead: "Diperbarui sebelum server mati." }) { id } }`, { id: article.id }, editor);
  assert.equal(edit.body.errors, undefined, JSON.stringify(edit.body.errors));

  // Committed and attempted, not delivered: now kill the server without letting it say goodbye.
  const failed = await eventually(async () => (await deliveries(first!.gql, admin, webhookId)).find((d) => d.status === "FAILED"), 10_000, "a failed attempt");
  assert.equal(failed.eventType, "article.updated");
  assert.equal(await first.killHard(), "SIGKILL");
  first = null;

  const receiver: Receiver = await startReceiver({ port });
  cleanup.push(() => receiver.close());
  const second = await spawnServer(env);
  cleanup.push(() => second.stop());
  const [request] = await receiver.waitFor(1, 15_000);
  assert.equal(request.json.type, "article.updated");
  assert.equal(request.json.data.id, article.id);
  assert.equal(request.json.data.slug, article.slug);
  assert.equal(request.headers["webhook-id"], failed.messageId, "the same webhook-id as before the crash");
  assert.doesNotThrow(() => verifySignature(secret, request));
  const delivered = await eventually(async () => (await deliveries(second.gql, admin, webhookId)).find((d) => d.status === "DELIVERED"));
  assert.ok(delivered.attempts >= 2, `attempts: ${delivered.attempts}`);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(receiver.requests.length, 1, "delivered once");
});
