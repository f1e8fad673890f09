import { randomBytes } from "node:crypto";
import os from "node:os";
import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import { timestampParam, writeConcurrency } from "../db/dialect";
import { execute, queryNamed } from "../db/named-sql";
import { onWriteCommitted } from "../db/write-lock";
import type { Logger } from "../http/request-log";
import { bookkeepingWrite, claimHeads, dueHeads, recordAttempt, type ClaimedRow } from "./outbox-sql";
import { PublishSchedule } from "./publish-schedule";
import { signDelivery } from "./signing";
import { assertPublicHost, parseEndpointUrl, UrlRefused } from "./url-policy";
import { MAX_RESPONSE_EXCERPT_BYTES, type WebhookConfig } from "./webhook-config";

const USER_AGENT = "newsroom-content-api-webhooks/1";
/** Retries wait base × 4^(attempt−1): 5 s, 20 s, 80 s, 5 min, 21 min, then the 1 h ceiling (defaults). */
const BACKOFF_FACTOR = 4;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 1_000;

export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  latencyMs: number | null;
}

/** Equal jitter: half the exponential delay fixed, half random, so retries of many rows spread out but still grow. */
export function retryDelayMs(attempts: number, config: Pick<WebhookConfig, "backoffBaseMs" | "backoffMaxMs">): number {
  const full = Math.min(config.backoffMaxMs, config.backoffBaseMs * BACKOFF_FACTOR ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (Math.random() * full) / 2);
}

const workers = new Set<WebhookWorker>();

/** Wakes this process's workers on a database, e.g. after a write that recorded no content event (a test delivery). */
export function wakeWebhookWorkers(dataSource: DataSource): void {
  for (const worker of workers) if (worker.dataSource === dataSource) worker.wake();
}

async function excerptOf(response: Response): Promise<string> {
  if (!response.body) return "";
  // Node's fetch types leave the body's chunks as `any`; the Fetch standard makes them bytes.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    // The rest of the body is never read: a receiver cannot make us buffer a large answer.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_EXCERPT_BYTES).toString("utf8").replace(/\s+/g, " ").trim();
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof UrlRefused) return `refused: the URL ${error.message}`;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const text = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `request failed: ${text}`.slice(0, 500);
}

/**
 * Delivers the outbox. Woken right after a local commit that recorded content events (so a
 * change reaches receivers within milliseconds), by its own retry timer, and by a poll for
 * rows committed by other instances or the seed command. Each pass claims due queue heads
 * (a lease in the row), posts them signed with a timeout, and records the outcome: DELIVERED,
 * FAILED with the next attempt backed off, or DEAD. An endpoint has at most one request in
 * flight across all instances, so its events arrive in outbox order. A process that dies with
 * a claim leaves the lease to expire; the row is then delivered again under the same webhook-id.
 */
export class WebhookWorker {
  readonly claimant = `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  readonly schedule: PublishSchedule;
  private readonly inFlight = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private pass: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAt = Infinity;
  private lastPruneAt = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    readonly dataSource: DataSource,
    /** Where the cheap "anything due?" questions go: on SQLite a second connection, so they never queue behind writes. */
    private readonly reader: DataSource,
    private readonly clock: Clock,
    private readonly config: WebhookConfig,
    private readonly logger: Logger,
  ) {
    this.schedule = new PublishSchedule(dataSource, reader, clock, logger, config.batchSize);
  }

  start(): void {
    workers.add(this);
    this.unsubscribe = onWriteCommitted((dataSource, events) => {
      if (dataSource !== this.dataSource || events.length === 0 || this.stopped) return;
      this.wake();
      if (events.some((event) => event.entity === "article")) void this.schedule.arm().catch((err) => this.logger.error({ err }, "webhook schedule refresh failed"));
    });
    this.pollTimer = setInterval(() => this.poll(), this.config.pollMs);
    this.pollTimer.unref();
    // Catch up at start-up: rows left by a crash or written while down, and instants that passed meanwhile.
    void this.schedule.check();
    this.wake();
  }

  private poll(): void {
    this.wake();
    void this.schedule.check();
    const now = Date.now();
    if (this.config.retentionDays > 0 && now - this.lastPruneAt >= PRUNE_EVERY_MS) {
      this.lastPruneAt = now;
      void this.prune().catch((err) => this.logger.error({ err }, "webhook delivery log pruning failed"));
    }
  }

  wake(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.again = false;
    this.pass = this.claimAndSend()
      .catch((err) => this.logger.error({ err }, "webhook delivery pass failed"))
      .finally(() => {
        this.pass = null;
        // A wake that came after the pass's last look: look again now rather than at the next poll.
        if (this.again) this.wake();
      });
  }

  private async claimAndSend(): Promise<void> {
    do {
      this.again = false;
      const room = Math.min(this.config.batchSize, this.config.concurrency - this.inFlight.size);
      if (room <= 0) return;
      const now = this.clock.now();
      // On SQLite asked on the read connection first: an idle poll then costs one indexed read
      // and never waits for, or takes, the single writer. PostgreSQL claims in one statement.
      if (writeConcurrency(this.dataSource) === "single-writer" && (await dueHeads(this.reader, now, room)).length === 0) return;
      const leaseUntil = new Date(now.getTime() + 2 * this.config.timeoutMs + 10_000);
      const claimed = await claimHeads(this.dataSource, now, leaseUntil, this.claimant, room);
      for (const row of claimed) this.launch(row);
      if (claimed.length === room) this.again = true;
    } while (this.again && !this.stopped);
  }

  private launch(row: ClaimedRow): void {
    const controller = new AbortController();
    const done = this.attempt(row, controller)
      .catch((err) => this.logger.error({ err, deliveryId: row.id }, "webhook delivery failed to record"))
      .finally(() => {
        this.inFlight.delete(row.id);
        this.wake();
      });
    this.inFlight.set(row.id, { controller, done });
  }

  private async attempt(row: ClaimedRow, controller: AbortController): Promise<void> {
    const startedAt = performance.now();
    let outcome: AttemptOutcome;
    try {
      const url = parseEndpointUrl(row.url);
      await assertPublicHost(url, this.config.allowPrivateUrls);
      const signed = signDelivery(row.secret, row.messageId, row.payload, new Date());
      const sentAt = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": USER_AGENT, ...signed },
        body: row.payload,
        // A redirect could lead anywhere, private addresses included: it counts as a failure.
        redirect: "manual",
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.config.timeoutMs)]),
      });
      const latencyMs = Math.round(performance.now() - sentAt);
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel().catch(() => undefined);
        outcome = { ok: true, statusCode: response.status, error: null, latencyMs };
      } else {
        const excerpt = await excerptOf(response).catch(() => "");
        outcome = { ok: false, statusCode: response.status, error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ""}`, latencyMs };
      }
    } catch (error) {
      if (controller.signal.aborted) return this.release(row);
      outcome = { ok: false, statusCode: null, error: describeFailure(error, this.config.timeoutMs), latencyMs: Math.round(performance.now() - startedAt) };
    }
    await this.record(row, outcome);
  }

  /** Shutting down mid-request: give the row back at once instead of waiting for the lease. */
  private async release(row: ClaimedRow): Promise<void> {
    await bookkeepingWrite(this.dataSource, (manager) =>
      execute(manager, `UPDATE webhook_deliveries SET claimed_until = NULL WHERE id = :id AND claimed_by = :claimant`, { id: row.id, claimant: this.claimant }),
    );
  }

  private async record(row: ClaimedRow, outcome: AttemptOutcome): Promise<void> {
    const now = this.clock.now();
    const attempts = row.attempts + 1;
    const streak = outcome.ok ? 0 : row.failureStreak + 1;
    // Dead after the configured attempts; and while the endpoint is down (a whole retry cycle
    // failed in a row) after one, so a long outage does not hold every later event for hours.
    const dead = !outcome.ok && (attempts >= this.config.maxAttempts || streak >= this.config.maxAttempts);
    const status = outcome.ok ? "delivered" : dead ? "dead" : "failed";
    const nextAttemptAt = status === "failed" ? new Date(now.getTime() + retryDelayMs(attempts, this.config)) : now;
    await recordAttempt(this.dataSource, {
      id: row.id,
      webhookId: row.webhookId,
      claimant: this.claimant,
      status,
      attempts,
      error: outcome.error,
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
      at: now,
      nextAttemptAt,
      failureStreak: streak,
    });
    if (dead) this.logger.warn({ deliveryId: row.id, webhookId: row.webhookId, attempts, error: outcome.error }, "webhook delivery is dead");
    if (status === "failed") this.retryAfter(nextAttemptAt);
  }

  private retryAfter(at: Date): void {
    if (this.stopped || at.getTime() >= this.retryAt) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryAt = at.getTime();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryAt = Infinity;
      this.wake();
    }, Math.max(0, at.getTime() - this.clock.now().getTime()));
    this.retryTimer.unref();
  }

  /** Drops delivered and dead rows past the retention, a bounded batch at a time. */
  private async prune(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.retentionDays * 86_400_000);
    const old = await queryNamed<{ id: number }>(
      this.reader,
      // A finished row's next_attempt_at is its last attempt, and (status, next_attempt_at) is indexed.
      `SELECT id FROM webhook_deliveries WHERE status IN ('delivered', 'dead') AND next_attempt_at < :cutoff ORDER BY id LIMIT :limit`,
      { cutoff: timestampParam(this.reader, cutoff), limit: PRUNE_BATCH },
    );
    if (old.length === 0) return;
    await bookkeepingWrite(this.dataSource, (manager) => queryNamed(manager, `DELETE FROM webhook_deliveries WHERE id IN (:...ids)`, { ids: old.map((row) => Number(row.id)) }));
  }

  /** Stops claiming, aborts requests in flight (their rows are released for the next instance) and waits for the bookkeeping to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    workers.delete(this);
    this.unsubscribe?.();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.schedule.stop();
    await this.pass;
    for (const { controller } of this.inFlight.values()) controller.abort();
    await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
  }
}
