import type { DataSource, EntityManager } from "typeorm";
import { isPostgres, timestampParam, toDate } from "../db/dialect";

/**
 * The SQL of the webhook outbox that differs between SQLite and PostgreSQL, in one place:
 * how a worker claims rows. Everything else in src/webhooks is portable.
 */

/** Raw SQL with `:name` / `:...list` parameters on a transaction's manager (or a data source outside one). */
export function queryOn<Row = Record<string, unknown>>(on: EntityManager | DataSource, sql: string, params: Record<string, unknown>): Promise<Row[]> {
  const driver = "connection" in on ? on.connection.driver : on.driver;
  const [query, values] = driver.escapeQueryWithParameters(sql, params, {});
  return on.query(query, values);
}

/** Runs an UPDATE or DELETE inside a transaction and says how many rows it changed. */
export async function changedRows(manager: EntityManager, sql: string, params: Record<string, unknown>): Promise<number> {
  const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, params, {});
  const runner = manager.queryRunner;
  if (!runner) throw new Error("changedRows needs a transaction's manager");
  const result = await runner.query(query, values, true);
  return Number(result.affected ?? 0);
}

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
  const rows = await queryOn<{ id: number }>(reader, `SELECT d.id ${DUE_HEADS} ORDER BY d.id LIMIT :limit`, { now: timestampParam(reader, now), limit });
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
 * Claims up to `limit` due heads for `leaseUntil`, inside the caller's write transaction.
 * PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances claiming at once split the rows
 * instead of waiting on each other, then the lease is written. SQLite has one writer at a
 * time: a conditional UPDATE that only succeeds while the row is still unclaimed.
 */
export async function claimHeads(manager: EntityManager, now: Date, leaseUntil: Date, claimant: string, limit: number): Promise<ClaimedRow[]> {
  const ds = manager.connection;
  const params = { now: timestampParam(ds, now), lease: timestampParam(ds, leaseUntil), claimant, limit };
  if (isPostgres(ds)) {
    const rows = await queryOn(manager, `SELECT ${CLAIMED_COLUMNS} ${DUE_HEADS} ORDER BY d.id LIMIT :limit FOR UPDATE OF d SKIP LOCKED`, params);
    if (rows.length === 0) return [];
    const claimed = rows.map(claimedRow);
    await queryOn(manager, `UPDATE webhook_deliveries SET claimed_until = :lease, claimed_by = :claimant WHERE id IN (:...ids)`, { ...params, ids: claimed.map((row) => row.id) });
    return claimed;
  }
  const rows = await queryOn(manager, `SELECT ${CLAIMED_COLUMNS} ${DUE_HEADS} ORDER BY d.id LIMIT :limit`, params);
  const claimed: ClaimedRow[] = [];
  for (const row of rows.map(claimedRow)) {
    const changed = await changedRows(
      manager,
      `UPDATE webhook_deliveries SET claimed_until = :lease, claimed_by = :claimant
       WHERE id = :id AND status IN ('pending', 'failed') AND (claimed_until IS NULL OR claimed_until < :now)`,
      { ...params, id: row.id },
    );
    if (changed === 1) claimed.push(row);
  }
  return claimed;
}

/** The earliest instant a FAILED or PENDING row becomes due, for the retry timer. */
export async function nextDueAt(reader: DataSource): Promise<Date | null> {
  const [row] = await queryOn<{ next: unknown }>(reader, `SELECT MIN(next_attempt_at) AS next FROM webhook_deliveries WHERE status IN ('pending', 'failed')`, {});
  return toDate(row?.next);
}
