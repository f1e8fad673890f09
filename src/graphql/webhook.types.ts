import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength } from "class-validator";
import { Field, InputType, ObjectType } from "type-graphql";
import { Webhook, WebhookEvent } from "../entities/webhook.entity";
import { WebhookDelivery } from "../entities/webhook-delivery.entity";
import { connectionTypes } from "./connection";

const EVENT_COUNT = Object.keys(WebhookEvent).length;

@InputType()
export class CreateWebhookInput {
  @Field({ description: "http or https. Private and loopback addresses are refused when WEBHOOK_ALLOW_PRIVATE_URLS is off (the production default)." })
  @MaxLength(2048)
  url: string;

  @Field(() => [WebhookEvent])
  @ArrayMinSize(1, { message: "events must name at least one event" })
  @ArrayMaxSize(EVENT_COUNT)
  events: WebhookEvent[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string | null;
}

@InputType({ description: "Omitted fields stay; description is cleared by an explicit null." })
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2048)
  url?: string | null;

  @Field(() => [WebhookEvent], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: "events must name at least one event" })
  @ArrayMaxSize(EVENT_COUNT)
  events?: WebhookEvent[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: "false pauses the endpoint: no new events, queued ones wait." })
  @IsOptional()
  active?: boolean | null;
}

@ObjectType({ simpleResolvers: true })
export class CreatedWebhook {
  @Field(() => Webhook)
  webhook: Webhook;

  @Field({ description: "The signing secret (`whsec_` + base64), in the Standard Webhooks form. Shown only here, once; store it in the receiver now." })
  secret: string;
}

export const { Edge: WebhookDeliveryEdge, Connection: WebhookDeliveryConnection } = connectionTypes("WebhookDelivery", WebhookDelivery);
export type WebhookDeliveryConnection = InstanceType<typeof WebhookDeliveryConnection>;
