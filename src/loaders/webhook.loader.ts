import { Webhook } from "../entities/webhook.entity";
import { WebhookDelivery } from "../entities/webhook-delivery.entity";
import { notFound } from "../errors";
import { decodeCursor, encodeCursor } from "../pagination/cursor";
import type { Page } from "../pagination/page";
import type { ReadContext } from "./read-context";

/**
 * The ADMIN's views of webhook endpoints and their delivery logs, on the request's read
 * connection: a delivery being recorded is never shown before it commits. Who may read them
 * is checked by the resolver (ADMIN only) before it asks.
 */
export function createWebhookReads(context: ReadContext) {
  const dataSource = context.entities;
  if (!dataSource) throw new Error("webhook views need the read connection's entities");
  return {
    listWebhooks(): Promise<Webhook[]> {
      return dataSource.getRepository(Webhook).find({ order: { id: "ASC" } });
    },

    /** One endpoint's deliveries, newest first, by keyset on the row id. */
    async listWebhookDeliveries(webhookId: number, window: { first: number; after: string | null }): Promise<Page<WebhookDelivery>> {
      if (!(await dataSource.getRepository(Webhook).exists({ where: { id: webhookId } }))) throw notFound(`webhook ${webhookId}`);
      const query = dataSource
        .getRepository(WebhookDelivery)
        .createQueryBuilder("d")
        .where("d.webhookId = :webhookId", { webhookId })
        .orderBy("d.id", "DESC")
        .limit(window.first + 1);
      if (window.after) query.andWhere("d.id < :afterId", { afterId: decodeCursor(window.after)[1] });
      const rows = await query.getMany();
      const items = rows.slice(0, window.first);
      return {
        items,
        cursorAt: (i) => encodeCursor([null, items[i].id]),
        hasNextPage: rows.length > window.first,
        hasPreviousPage: window.after !== null,
        totalCount: () => dataSource.getRepository(WebhookDelivery).count({ where: { webhookId } }),
      };
    },
  };
}
