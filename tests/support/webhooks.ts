import assert from "node:assert/strict";
import { Webhook as StandardWebhook } from "standardwebhooks";
import type { ReceivedRequest } from "./webhook-receiver";

type Gql = (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => Promise<{ body: any }>;

export const ALL_EVENTS = ["ARTICLE_PUBLISHED", "ARTICLE_UPDATED", "ARTICLE_UNPUBLISHED", "ARTICLE_DELETED", "ARTICLE_RESTORED", "AUTHOR_UPDATED", "TAG_UPDATED"];

export async function createWebhook(gql: Gql, headers: Record<string, string>, url: string, events = ALL_EVENTS): Promise<{ id: string; secret: string }> {
  const res = await gql(
    `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events active } } }`,
    { input: { url, events, description: "test receiver" } },
    headers,
  );
  assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
  return { id: res.body.data.createWebhook.webhook.id, secret: res.body.data.createWebhook.secret };
}

export const DELIVERY_FIELDS = `id messageId eventType status attempts lastError lastStatusCode latencyMs createdAt lastAttemptAt deliveredAt nextAttemptAt`;

export async function deliveries(gql: Gql, headers: Record<string, string>, webhookId: string, first = 50): Promise<any[]> {
  const res = await gql(`query ($id: ID!, $first: Int) { webhookDeliveries(webhookId: $id, first: $first) { nodes { ${DELIVERY_FIELDS} } } }`, { id: webhookId, first }, headers);
  assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
  return res.body.data.webhookDeliveries.nodes;
}

/** Verifies a received request with the Standard Webhooks library, as a receiver would; throws when it does not verify. */
export function verifySignature(secret: string, request: ReceivedRequest): unknown {
  return new StandardWebhook(secret).verify(request.body, {
    "webhook-id": String(request.headers["webhook-id"]),
    "webhook-timestamp": String(request.headers["webhook-timestamp"]),
    "webhook-signature": String(request.headers["webhook-signature"]),
  });
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
