/** Webhook delivery settings, read from the environment (see README "Change webhooks" and docs/hardening.md). */
export interface WebhookConfig {
  /** `WEBHOOK_WORKER=off` keeps this instance from delivering (other instances still do). */
  worker: boolean;
  /** Endpoints may point at loopback, private, link-local and unique-local addresses. Default: refused in production only. */
  allowPrivateUrls: boolean;
  /** Attempts before a delivery is DEAD. */
  maxAttempts: number;
  /** Delay before the first retry; each further retry waits 4× longer (with jitter), up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** One attempt, from connecting to the response headers, is abandoned after this long. */
  timeoutMs: number;
  /** How often an instance looks for rows it was not woken for: other instances' commits, retries, schedules. */
  pollMs: number;
  /** Outbox rows claimed per query. */
  batchSize: number;
  /** Endpoints an instance delivers to at once (each endpoint always gets one request at a time). */
  concurrency: number;
  /** Delivered and dead rows older than this are deleted. 0 keeps them. */
  retentionDays: number;
}

/** Endpoints at most: every announced event writes one row per subscribed endpoint, inside the writing transaction. */
export const MAX_WEBHOOK_ENDPOINTS = 50;
/** Bytes of a failing response's body kept in the log (the rest is not read). */
export const MAX_RESPONSE_EXCERPT_BYTES = 512;

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

export function loadWebhookConfig(env: NodeJS.ProcessEnv, production: boolean): WebhookConfig {
  return {
    worker: flag(env, "WEBHOOK_WORKER", true),
    allowPrivateUrls: flag(env, "WEBHOOK_ALLOW_PRIVATE_URLS", !production),
    maxAttempts: wholeNumber(env, "WEBHOOK_MAX_ATTEMPTS", 8, 1),
    backoffBaseMs: wholeNumber(env, "WEBHOOK_BACKOFF_BASE_MS", 5_000, 1),
    backoffMaxMs: wholeNumber(env, "WEBHOOK_BACKOFF_MAX_MS", 3_600_000, 1),
    timeoutMs: wholeNumber(env, "WEBHOOK_TIMEOUT_MS", 10_000, 100),
    pollMs: wholeNumber(env, "WEBHOOK_POLL_MS", 1_000, 10),
    batchSize: wholeNumber(env, "WEBHOOK_BATCH_SIZE", 50, 1),
    concurrency: wholeNumber(env, "WEBHOOK_CONCURRENCY", 8, 1),
    retentionDays: wholeNumber(env, "WEBHOOK_LOG_RETENTION_DAYS", 30),
  };
}
