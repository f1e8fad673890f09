import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import sqlite3 from "sqlite3";
import { DataSource, type DataSourceOptions } from "typeorm";
import type { DatabaseConfig } from "../config";
import { betterSqlite3 } from "./better-sqlite3";
import { ApiToken } from "../entities/api-token.entity";
import { Article } from "../entities/article.entity";
import { ArticleRevision } from "../entities/article-revision.entity";
import { ArticleRelated } from "../entities/article-related.entity";
import { ArticlePendingLink } from "../entities/article-pending-link.entity";
import { ArticleTag } from "../entities/article-tag.entity";
import { ContentChange } from "../entities/content-change.entity";
import { Author } from "../entities/author.entity";
import { Tag } from "../entities/tag.entity";
import { Webhook } from "../entities/webhook.entity";
import { WebhookDelivery } from "../entities/webhook-delivery.entity";
import { WebhookPublishSchedule } from "../entities/webhook-publish-schedule.entity";
import { installWebhookOutbox } from "../webhooks/outbox";
import { installChangeAnnouncer } from "../cache/change-feed";
import { migrations } from "../migrations";
import { applySchemaForms } from "./schema-forms";
import { withStartupLock } from "./startup-lock";
import { StatementCountingLogger } from "./statement-counter";
import { CONNECTION_OPTIONS } from "./read-pool.postgres";
import { WRITER_WAIT_MS } from "./write-lock";

export const entities = [Author, Tag, Article, ArticleTag, ArticleRelated, ApiToken, ArticleRevision, ArticlePendingLink, Webhook, WebhookDelivery, WebhookPublishSchedule];
/** Tables that exist on SQLite only (ContentChanges1732700000610: PostgreSQL uses LISTEN/NOTIFY instead). */
const sqliteOnlyEntities = [ContentChange];

/** Every DataSource of the app: the entities get each engine's spelling of their columns (see schema-forms.ts). */
class ContentDataSource extends DataSource {
  protected override async buildMetadatas(): Promise<void> {
    await super.buildMetadatas();
    applySchemaForms(this);
  }
}

export function createDataSource(database: DatabaseConfig): DataSource {
  const common = {
    entities,
    migrations,
    migrationsRun: false,
    synchronize: false,
    logger: new StatementCountingLogger(database.debugSql),
    maxQueryExecutionTime: 200,
  } satisfies Partial<DataSourceOptions>;

  if (database.type === "postgres") {
    // node-pg sends a Date as local time with a whole-minute offset, so an instant in a zone's
    // local-mean-time era (Asia/Jakarta before 1924: +07:07:12) lost seconds; UTC text is exact.
    pg.defaults.parseInputDatesAsUTC = true;
    // A bounded wait for a connection: an unreachable server fails the request (503) instead
    // of holding it forever.
    return new ContentDataSource({ ...common, type: "postgres", url: database.url, connectTimeoutMS: 10_000, extra: { options: CONNECTION_OPTIONS } });
  }
  if (database.path !== ":memory:") fs.mkdirSync(path.dirname(database.path), { recursive: true });
  if (database.driver === "better-sqlite3") {
    return new ContentDataSource({
      ...common,
      entities: [...entities, ...sqliteOnlyEntities],
      type: "better-sqlite3",
      driver: betterSqlite3(),
      database: database.path,
      enableWAL: true,
      timeout: WRITER_WAIT_MS,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma("foreign_keys = ON");
        db.pragma("synchronous = NORMAL");
      },
    });
  }
  return new ContentDataSource({
    ...common,
    entities: [...entities, ...sqliteOnlyEntities],
    type: "sqlite",
    // TypeORM switches sqlite3 into verbose mode, which captures a stack trace and
    // util.inspect()s the SQL and parameters on every call: a large share of CPU per query.
    driver: { verbose: () => sqlite3 },
    database: database.path,
    enableWAL: true,
    busyTimeout: WRITER_WAIT_MS,
  });
}

/** Opens the database and brings its schema up to date; the server and every command start here. */
export async function openDatabase(database: DatabaseConfig): Promise<DataSource> {
  const dataSource = createDataSource(database);
  await dataSource.initialize();
  if (database.type === "sqlite" && database.driver === "sqlite3") {
    // WAL makes fsync per commit unnecessary for durability against process crashes
    // (better-sqlite3 is told so in prepareDatabase; the sqlite3 driver has no such hook).
    await dataSource.query("PRAGMA synchronous = NORMAL");
  }
  // Instances starting together on one PostgreSQL database migrate one after another.
  await withStartupLock(dataSource, () => dataSource.runMigrations({ transaction: "each" }));
  // Every process that writes content (server, seed, token commands) writes webhook outbox rows with it.
  installWebhookOutbox();
  // Every process that writes tells the servers what its writes changed (src/cache/change-feed.ts).
  installChangeAnnouncer();
  return dataSource;
}

/**
 * A second SQLite connection for reads. TypeORM drives SQLite through one connection, so a
 * read sent while a write transaction is open on it would see that transaction's uncommitted
 * rows (and could put them in the response cache if it then rolled back). With WAL, a
 * separate connection reads the last committed state while the writer works. PostgreSQL
 * pools connections and in-memory SQLite cannot be shared, so both keep the one DataSource.
 */
export async function openReadDataSource(database: DatabaseConfig, writer: DataSource): Promise<DataSource> {
  if (database.type !== "sqlite" || database.path === ":memory:") return writer;
  const reader = createDataSource(database);
  await reader.initialize();
  return reader;
}

