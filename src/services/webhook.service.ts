import { writeTransaction } from "../db/write-lock";
import { Webhook, WebhookEvent } from "../entities/webhook.entity";
import { WebhookDelivery, WebhookDeliveryStatus } from "../entities/webhook-delivery.entity";
import { badInput, notFound } from "../errors";
import { Role } from "../viewer";
import { wakeWebhookWorkers } from "../webhooks/delivery.worker";
import { newMessageId, newSigningSecret } from "../webhooks/signing";
import { assertPublicHost, parseEndpointUrl, UrlRefused } from "../webhooks/url-policy";
import { MAX_WEBHOOK_ENDPOINTS, type WebhookConfig } from "../webhooks/webhook-config";
import { TEST_EVENT_TYPE, testBodyOf } from "../webhooks/webhook-events";
import { requireRole } from "./access";
import type { WriteContext } from "./write-context";

/** Webhook writes need the URL policy from the server's settings. */
export interface WebhookContext extends WriteContext {
  config: { webhooks: Pick<WebhookConfig, "allowPrivateUrls"> };
}

export interface WebhookValues {
  url?: string | null;
  events?: WebhookEvent[] | null;
  description?: string | null;
  active?: boolean | null;
}

export interface CreatedWebhookResult {
  webhook: Webhook;
  /** Shown once; the endpoint verifies signatures with it. */
  secret: string;
}

const ALL_EVENTS = Object.values(WebhookEvent);

/** Checks what was given and returns it normalized; every invalid field is named in one BAD_USER_INPUT. DNS is asked here, outside any transaction. */
async function validated(context: WebhookContext, input: WebhookValues, creating: boolean): Promise<{ url?: string; events?: WebhookEvent[]; description?: string | null }> {
  const fields: Record<string, string> = {};
  const out: { url?: string; events?: WebhookEvent[]; description?: string | null } = {};
  if (input.url != null || creating) {
    const text = (input.url ?? "").trim();
    try {
      if (text.length > 2048) throw new UrlRefused("must be at most 2048 characters");
      const url = parseEndpointUrl(text);
      await assertPublicHost(url, context.config.webhooks.allowPrivateUrls);
      out.url = url.toString();
    } catch (error) {
      if (!(error instanceof UrlRefused)) throw error;
      fields.url = error.message;
    }
  }
  if (input.events != null || creating) {
    const events = [...new Set(input.events ?? [])];
    if (events.length === 0) fields.events = "must name at least one event";
    else if (events.some((e) => !ALL_EVENTS.includes(e))) fields.events = `must be among ${ALL_EVENTS.join(", ")}`;
    else out.events = ALL_EVENTS.filter((e) => events.includes(e));
  }
  if (input.description !== undefined) {
    const description = input.description?.trim() || null;
    if (description && description.length > 500) fields.description = "must be at most 500 characters";
    out.description = description;
  }
  if (Object.keys(fields).length) throw badInput(`invalid webhook: ${Object.keys(fields).join(", ")}`, fields);
  return out;
}

export async function createWebhook(context: WebhookContext, input: WebhookValues & { url: string; events: WebhookEvent[] }): Promise<CreatedWebhookResult> {
  requireRole(context.viewer, Role.ADMIN);
  const values = await validated(context, input, true);
  const secret = newSigningSecret();
  const webhook = await writeTransaction(context, async (manager) => {
    const repo = manager.getRepository(Webhook);
    if ((await repo.count()) >= MAX_WEBHOOK_ENDPOINTS) throw badInput(`at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one first`, { url: "too many endpoints" });
    return repo.save(
      repo.create({
        url: values.url!,
        events: values.events!,
        description: values.description ?? null,
        active: input.active ?? true,
        secret,
        failureStreak: 0,
        createdAt: context.now,
        updatedAt: context.now,
      }),
    );
  });
  return { webhook, secret };
}

export async function updateWebhook(context: WebhookContext, id: number, input: WebhookValues): Promise<Webhook> {
  requireRole(context.viewer, Role.ADMIN);
  const values = await validated(context, input, false);
  return writeTransaction(context, async (manager) => {
    const repo = manager.getRepository(Webhook);
    const webhook = await repo.findOne({ where: { id } });
    if (!webhook) throw notFound(`webhook ${id}`);
    // A new address or switching an endpoint back on starts its failure count afresh.
    if (values.url !== undefined && values.url !== webhook.url) {
      webhook.url = values.url;
      webhook.failureStreak = 0;
    }
    if (values.events !== undefined) webhook.events = values.events;
    if (values.description !== undefined) webhook.description = values.description;
    if (input.active != null) {
      if (input.active && !webhook.active) webhook.failureStreak = 0;
      webhook.active = input.active;
    }
    webhook.updatedAt = context.now;
    return repo.save(webhook);
  });
}

/** Its queued deliveries and its log go with it. */
export async function deleteWebhook(context: WriteContext, id: number): Promise<boolean> {
  requireRole(context.viewer, Role.ADMIN);
  return writeTransaction(context, async (manager) => {
    const found = await manager.getRepository(Webhook).findOne({ where: { id } });
    if (!found) throw notFound(`webhook ${id}`);
    await manager.delete(WebhookDelivery, { webhookId: id });
    await manager.delete(Webhook, { id });
    return true;
  });
}

/** Queues a `webhook.test` event for this endpoint (whatever it subscribes to), delivered like any other. */
export async function sendTestWebhook(context: WriteContext, id: number): Promise<WebhookDelivery> {
  requireRole(context.viewer, Role.ADMIN);
  const delivery = await writeTransaction(context, async (manager) => {
    const webhook = await manager.getRepository(Webhook).findOne({ where: { id } });
    if (!webhook) throw notFound(`webhook ${id}`);
    if (!webhook.active) throw badInput(`webhook ${id} is inactive; activate it to send a test`, { id: "inactive endpoint" });
    const now = new Date();
    const repo = manager.getRepository(WebhookDelivery);
    return repo.save(
      repo.create({
        webhookId: id,
        messageId: newMessageId(),
        eventType: TEST_EVENT_TYPE,
        payload: testBodyOf(id, now),
        status: WebhookDeliveryStatus.PENDING,
        attempts: 0,
        nextAttemptAt: now,
        claimedUntil: null,
        claimedBy: null,
        lastError: null,
        lastStatusCode: null,
        latencyMs: null,
        createdAt: now,
        lastAttemptAt: null,
        deliveredAt: null,
      }),
    );
  });
  // No content event was recorded, so no commit listener wakes the worker for it.
  wakeWebhookWorkers(context.writer);
  return delivery;
}
