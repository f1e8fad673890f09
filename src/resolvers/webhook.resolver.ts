import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { Webhook } from "../entities/webhook.entity";
import { WebhookDelivery } from "../entities/webhook-delivery.entity";
import type { GraphQLContext } from "../graphql/context";
import { parseEntityId } from "../graphql/ids";
import { pageWindow } from "../graphql/paging";
import { CreatedWebhook, CreateWebhookInput, UpdateWebhookInput, WebhookDeliveryConnection } from "../graphql/webhook.types";
import { requireRole } from "../services/access";
import * as webhooks from "../services/webhook.service";
import { Role } from "../viewer";

/** Webhook endpoints and their delivery logs are the ADMIN role's alone (writes check it in the service, reads here, like apiTokens). */
@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => [Webhook], { description: "ADMIN only." })
  webhooks(@Ctx() { viewer, loaders }: GraphQLContext): Promise<Webhook[]> {
    requireRole(viewer, Role.ADMIN);
    return loaders.listWebhooks();
  }

  @Query(() => WebhookDeliveryConnection, { description: "ADMIN only. One endpoint's deliveries, newest first." })
  async webhookDeliveries(
    @Ctx() { viewer, loaders }: GraphQLContext,
    @Arg("webhookId", () => ID) webhookId: string,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    requireRole(viewer, Role.ADMIN);
    return new WebhookDeliveryConnection(await loaders.listWebhookDeliveries(parseEntityId(webhookId, "webhookId"), pageWindow(first, after)));
  }

  @Mutation(() => CreatedWebhook, { description: "ADMIN only. The signing secret is in the answer, and only there." })
  createWebhook(@Ctx() context: GraphQLContext, @Arg("input", () => CreateWebhookInput) input: CreateWebhookInput): Promise<CreatedWebhook> {
    return webhooks.createWebhook(context, input);
  }

  @Mutation(() => Webhook, { description: "ADMIN only." })
  updateWebhook(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string, @Arg("input", () => UpdateWebhookInput) input: UpdateWebhookInput): Promise<Webhook> {
    return webhooks.updateWebhook(context, parseEntityId(id), input);
  }

  @Mutation(() => Boolean, { description: "ADMIN only. Its queued deliveries and delivery log go with it." })
  deleteWebhook(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<boolean> {
    return webhooks.deleteWebhook(context, parseEntityId(id));
  }

  @Mutation(() => WebhookDelivery, { description: "ADMIN only. Queues a signed `webhook.test` event for the endpoint; follow it in webhookDeliveries." })
  sendTestWebhook(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<WebhookDelivery> {
    return webhooks.sendTestWebhook(context, parseEntityId(id));
  }
}
