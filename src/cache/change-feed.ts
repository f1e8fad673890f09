import { randomUUID } from "node:crypto";
import { Client, type Notification } from "pg";
import type { DataSource, EntityManager } from "typeorm";
import type { DatabaseConfig } from "../config";
import { changeAnnouncement, timestampParam } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import { onBeforeCommit } from "../db/write-lock";
import { ALL_KEYS, type ContentEvent } from "../events/content-events";
import type { Logger } from "../http/request-log";

/**
 * How a change committed by one process reaches the caches of every other process on the same
 * database (other server instances, `npm run seed`): the writing transaction itself announces
 * the keys it made stale, so nothing is announced that did not commit and nothing committed
 * goes unannounced.
 *
 * - PostgreSQL: `pg_notify` in the transaction (delivered at commit, dropped on rollback); each
 *   server LISTENs on a dedicated connection that reconnects.
 * - SQLite: a row in `content_changes` in the transaction; each server reads new rows by id
 *   every POLL_MS. A table, not the old `PRAGMA data_version` poll: data_version only says that
 *   another connection committed something, and another instance's token-use bookkeeping would
 *   then flush everything, which is what keys exist to avoid.
 */
export const CHANNEL = "content_changes";
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; larger key sets say `*`. */
const NOTIFY_MAX_BYTES = 7_900;
const POLL_MS = 250;
const POLL_BATCH = 500;
const RETENTION_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 60_000;
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5_000;

/** The keys a transaction's events made stale, once each; `*` alone when any says everything. */
export function keysOf(events: readonly ContentEvent[]): string[] {
  const keys = new Set<string>();
  for (const event of events) {
    for (const key of event.keys) {
      if (key === ALL_KEYS) return [ALL_KEYS];
      keys.add(key);
    }
  }
  return [...keys];
}

const sources = new WeakMap<DataSource, string>();

/** Who wrote a change: one id per DataSource, so a process skips only its own announcements. */
export function sourceIdOf(dataSource: DataSource): string {
  let id = sources.get(dataSource);
  if (!id) sources.set(dataSource, (id = randomUUID()));
  return id;
}

let installed = false;
let lastPrune = 0;

/** Makes every write transaction of this process announce its keys; idempotent. */
export function installChangeAnnouncer(): void {
  if (installed) return;
  installed = true;
  onBeforeCommit(announce);
}

async function announce(manager: EntityManager, events: readonly ContentEvent[]): Promise<void> {
  const keys = keysOf(events);
  if (keys.length === 0) return;
  const dataSource = manager.connection;
  const source = sourceIdOf(dataSource);
  if (changeAnnouncement(dataSource) === "notify") {
    let payload = JSON.stringify({ s: source, k: keys });
    if (Buffer.byteLength(payload) > NOTIFY_MAX_BYTES) payload = JSON.stringify({ s: source, k: [ALL_KEYS] });
    await manager.query(`SELECT pg_notify($1, $2)`, [CHANNEL, payload]);
    return;
  }
  const now = new Date();
  await queryNamed(manager, `INSERT INTO content_changes (source, keys, created_at) VALUES (:source, :keys, :createdAt)`, {
    source,
    keys: JSON.stringify(keys),
    createdAt: timestampParam(dataSource, now),
  });
  if (now.getTime() - lastPrune > PRUNE_EVERY_MS) {
    lastPrune = now.getTime();
    await queryNamed(manager, `DELETE FROM content_changes WHERE created_at < :cutoff`, { cutoff: timestampParam(dataSource, new Date(now.getTime() - RETENTION_MS)) });
  }
}

export interface ForeignChanges {
  close(): Promise<void>;
}

export interface ForeignChangesOptions {
  database: DatabaseConfig;
  /** The DataSource this server writes with: its own announcements are skipped. */
  writer: DataSource;
  /** Where the SQLite poll reads (a connection that sees only committed rows). */
  reader: DataSource;
  logger: Logger;
  /** Called with the keys another process made stale (`*` after a gap in what was heard). */
  onChange(keys: readonly string[]): Promise<void> | void;
}

/** Starts hearing other processes' changes; resolves once listening (or once the first attempt failed). */
export async function watchForeignChanges(options: ForeignChangesOptions): Promise<ForeignChanges> {
  if (options.database.type === "postgres") {
    const listener = new PgChangeListener(options.database.url, sourceIdOf(options.writer), options);
    await listener.start();
    return listener;
  }
  if (options.database.path === ":memory:") return { close: async () => undefined };
  const poller = new SqliteChangePoller(options.reader, sourceIdOf(options.writer), options);
  await poller.start();
  return poller;
}

class PgChangeListener implements ForeignChanges {
  private client: Client | null = null;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private timer: NodeJS.Timeout | null = null;
  private warned = false;

  constructor(
    private readonly url: string,
    private readonly source: string,
    private readonly options: ForeignChangesOptions,
  ) {}

  async start(): Promise<void> {
    await this.connect(false);
  }

  private async connect(afterGap: boolean): Promise<void> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5_000, application_name: "content-api-listen" });
    client.on("notification", (message: Notification) => this.heard(message.payload));
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      client.removeAllListeners("end");
      client.end().catch(() => undefined);
      this.warnOnce("cannot LISTEN for other instances' changes; retrying");
      this.scheduleReconnect(true);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = RECONNECT_MIN_MS;
    if (afterGap) {
      // Whatever was announced while we were not listening is unknown.
      this.warned = false;
      this.options.logger.info("listening for other instances' changes again; local cache flushed once");
      await this.options.onChange([ALL_KEYS]);
    }
  }

  private heard(payload: string | undefined): void {
    if (!payload) return;
    let message: { s?: string; k?: unknown };
    try {
      message = JSON.parse(payload) as { s?: string; k?: unknown };
    } catch {
      return;
    }
    if (message.s === this.source || !Array.isArray(message.k)) return;
    const keys = message.k.filter((k): k is string => typeof k === "string");
    if (keys.length > 0) void Promise.resolve(this.options.onChange(keys)).catch(() => undefined);
  }

  private lost(client: Client): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    this.warnOnce("lost the connection that hears other instances' changes; reconnecting");
    void Promise.resolve(this.options.onChange([ALL_KEYS])).catch(() => undefined);
    this.scheduleReconnect(true);
  }

  private scheduleReconnect(afterGap: boolean): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect(afterGap);
    }, this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.options.logger.warn(message);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
    }
  }
}

class SqliteChangePoller implements ForeignChanges {
  private last = 0;
  private polling = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly reader: DataSource,
    private readonly source: string,
    private readonly options: ForeignChangesOptions,
  ) {}

  async start(): Promise<void> {
    try {
      const [row] = await this.reader.query<{ last: number | string | null }[]>(`SELECT COALESCE(MAX(id), 0) AS last FROM content_changes`);
      this.last = Number(row?.last ?? 0);
    } catch {
      // The next poll starts from 0 and takes everything as a change: at worst one flush.
    }
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await queryNamed<{ id: number; source: string; keys: string }>(
        this.reader,
        `SELECT id, source, keys FROM content_changes WHERE id > :last ORDER BY id LIMIT ${POLL_BATCH}`,
        { last: this.last },
      );
      if (rows.length === 0) return;
      // Rows pruned before this process read them: what they said is unknown.
      const gap = Number(rows[0].id) > this.last + 1 && this.last > 0;
      const keys = new Set<string>(gap ? [ALL_KEYS] : []);
      for (const row of rows) {
        if (row.source === this.source) continue;
        try {
          for (const key of JSON.parse(row.keys) as string[]) keys.add(key);
        } catch {
          keys.add(ALL_KEYS);
        }
      }
      this.last = Number(rows[rows.length - 1].id);
      if (keys.size > 0) await this.options.onChange(keys.has(ALL_KEYS) ? [ALL_KEYS] : [...keys]);
    } catch {
      // A busy or closed database: the next tick tries again.
    } finally {
      this.polling = false;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
