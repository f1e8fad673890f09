import { randomBytes, randomUUID } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";

/**
 * Standard Webhooks (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 with the secret's bytes, sent as
 * `webhook-signature: v1,<base64>`. The maintained `standardwebhooks` package does the
 * signing (it is CommonJS and runs on Node 20 as it is); receivers verify with the same
 * package or any of the scheme's libraries.
 */
const SECRET_BYTES = 32;

/** `whsec_` + base64 of 32 random bytes: the form every Standard Webhooks library accepts. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/** The `webhook-id`: unique per event and endpoint, the same on every attempt. */
export function newMessageId(): string {
  return `msg_${randomUUID().replace(/-/g, "")}`;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** Signs at `at` (whole seconds, as the header carries them); each attempt is signed afresh so receivers' timestamp tolerance holds on retries. */
export function signDelivery(secret: string, messageId: string, body: string, at: Date): SignedHeaders {
  const seconds = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(seconds.getTime() / 1000),
    "webhook-signature": new StandardWebhook(secret).sign(messageId, seconds, body),
  };
}
