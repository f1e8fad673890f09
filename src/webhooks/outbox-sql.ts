import type { DataSource, EntityManager } from "typeorm";
import { timestampParam, writeConcurrency } from "../db/dialect";
import { execute, queryNamed } from "../db/named-sql";
import { writeTransaction } from "../db/write-lock";

/**
 * The SQL of the webhook outbox that differs between SQLite and PostgreSQL, in one place:
 * how a worker claims rows. Everything else in src/webhooks is portable.
 */

export interface ClaimedRow {
  id: number;
  webhookId: number;
  messageId: string;
  eventType: string;
  payload: string;
  attempts: number;
  url: string;
  secret: string;
  failureStreak: number;
}

/**
 * The head of each endpoint's queue: its oldest undelivered row, when that row is due and
 * nobody holds it. Only the head is ever eligible, so an endpoint gets one request at a time
 * and in order, whichever instance delivers.
 */
const DUE_HEADS = `
  FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
  WHERE d.status IN ('pending', 'failed') AND w.active = TRUE
    AND d.next_attempt_at <= :now
    AND (d.claimed_until IS NULL OR d.claimed_until < :now)
    AND d.id = (SELECT MIN(h.id) FROM webhook_deliveries h WHERE h.webhook_id = d.webhook_id AND h.status IN ('pending', 'failed'))`;

/** Ids of claimable rows, read without a lock: the cheap question asked on every wake and poll. */
export async function dueHeads(reader: DataSource, now: Date, limit: number): Promise<number[]> {
  const rows = await queryNamed<{ id: number }>(reader, `SELECT d.id ${DUE_HEADS} ORDER BY d.id LIMIT :limit`, { now: timestampParam(reader, now), limit });
  return rows.map((row) => Number(row.id));
}

const CLAIMED_COLUMNS = `d.id, d.webhook_id, d.message_id, d.event_type, d.payload, d.attempts, w.url, w.secret, w.failure_streak`;

function claimedRow(row: Record<string, unknown>): ClaimedRow {
  return {
    id: Number(row.id),
    webhookId: Number(row.webhook_id),
    messageId: String(row.message_id),
    eventType: String(row.event_type),
    payload: String(row.payload),
    attempts: Number(row.attempts),
    url: String(row.url),
    secret: String(row.secret),
    failureStreak: Number(row.failure_streak),
  };
}

/**
 * A write of the worker's own bookkeeping. SQLite has one writer, so it queues with every
 * other write (src/db/write-lock.ts); PostgreSQL runs it at once in its own transaction, and
 * no content-commit listener hears about it because it changed no content.
 */
export function bookkeepingWrite<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return writeConcurrency(dataSource) === "row-locks" ? dataSource.transaction(work) : writeTransaction(dataSource, work);
}

/**
 * Claims up to `limit` due heads until `leaseUntil`. PostgreSQL: one statement, the heads
 * locked with `FOR UPDATE SKIP LOCKED` so instances claiming at the same moment split the
 * rows instead of waiting on each other, and the lease written on the rows it got. SQLite has
 * one writer at a time: a conditional UPDATE per row that only succeeds while the row is
 * still unclaimed (another process on the same file may have taken it).
 */
export async function claimHeads(dataSource: DataSource, now: Date, leaseUntil: Date, claimant: string, limit: number): Promise<ClaimedRow[]> {
  const params = { now: timestampParam(dataSource, now), lease: timestampParam(dataSource, leaseUntil), claimant, limit };
  if (writeConcurrency(dataSource) === "row-locks") {
    // TypeORM's PostgreSQL driver answers an UPDATE … RETURNING with [rows, affected count].
    const [rows] = (await queryNamed<unknown>(
      dataSource,
      `UPDATE webhook_deliveries SET claimed_until = :lease, claimed_by = :claimant
       FROM webhooks hook
       WHERE hook.id = webhook_deliveries.webhook_id
         AND webhook_deliveries.id IN (SELECT d.id ${DUE_HEADS} ORDER BY d.id LIMIT :limit FOR UPDATE OF d SKIP LOCKED)
       RETURNING webhook_deliveries.id, webhook_deliveries.webhook_id, webhook_deliveries.message_id, webhook_deliveries.event_type,
         webhook_deliveries.payload, webhook_deliveries.attempts, hook.url, hook.secret, hook.failure_streak`,
      params,
    )) as [Record<string, unknown>[], number];
    return rows.map(claimedRow).sort((x, y) => x.id - y.id);
  }
  return writeTransaction(dataSource, async (manager) => {
    const rows = await queryNamed(manager, `SELECT ${CLAIMED_COLUMNS} ${DUE_HEADS} ORDER BY d.id LIMIT :limit`, params);
    const claimed: ClaimedRow[] = [];
    for (const row of rows.map(claimedRow)) {
      const { affected } = await execute(
        manager,
        `UPDATE webhook_deliveries SET claimed_until = :lease, claimed_by = :claimant
         WHERE id = :id AND status IN ('pending', 'failed') AND (claimed_until IS NULL OR claimed_until < :now)`,
        { ...params, id: row.id },
      );
      if (affected === 1) claimed.push(row);
    }
    return claimed;
  });
}

export interface AttemptRecord {
  id: number;
  webhookId: number;
  claimant: string;
  status: "delivered" | "failed" | "dead";
  attempts: number;
  /** Null on success: the last failure's reason stays. */
  error: string | null;
  statusCode: number | null;
  latencyMs: number | null;
  at: Date;
  nextAttemptAt: Date;
  /** The endpoint's failed attempts in a row after this one. */
  failureStreak: number;
}

/**
 * Writes an attempt's outcome and the endpoint's failure streak, only while the row is still
 * ours: when our lease ran out and another instance took the row, its outcome is the one that
 * counts. PostgreSQL does both in one statement (one round trip per delivery); SQLite in one
 * queued transaction.
 */
export async function recordAttempt(dataSource: DataSource, record: AttemptRecord): Promise<void> {
  const params = {
    id: record.id,
    webhookId: record.webhookId,
    claimant: record.claimant,
    status: record.status,
    attempts: record.attempts,
    error: record.error,
    statusCode: record.statusCode,
    latencyMs: record.latencyMs,
    at: timestampParam(dataSource, record.at),
    next: timestampParam(dataSource, record.nextAttemptAt),
    deliveredAt: record.status === "delivered" ? timestampParam(dataSource, record.at) : null,
    streak: record.failureStreak,
  };
  const update = `UPDATE webhook_deliveries SET status = :status, attempts = :attempts, last_error = COALESCE(:error, last_error),
      last_status_code = :statusCode, latency_ms = :latencyMs, last_attempt_at = :at, next_attempt_at = :next,
      delivered_at = :deliveredAt, claimed_until = NULL
    WHERE id = :id AND claimed_by = :claimant`;
  if (writeConcurrency(dataSource) === "row-locks") {
    await queryNamed(dataSource, `WITH mine AS (${update} RETURNING webhook_id) UPDATE webhooks SET failure_streak = :streak WHERE id IN (SELECT webhook_id FROM mine)`, params);
    return;
  }
  await writeTransaction(dataSource, async (manager) => {
    if ((await execute(manager, update, params)).affected === 1) await execute(manager, `UPDATE webhooks SET failure_streak = :streak WHERE id = :webhookId`, params);
  });
}
