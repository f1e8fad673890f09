import "reflect-metadata";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { DataSource } from "typeorm";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { SEARCH_TABLE, TERMS_TABLE } from "../../src/search/fts.postgres";
import { FTS_TABLE } from "../../src/search/fts.sqlite";
import { createPostgresDatabase, dropDatabase } from "../support/database";
import { engineSkip } from "../support/engines";

/**
 * Migrations write the DDL; the entities must describe the same tables, columns and indexes, so
 * that reading an entity says what is in the database. TypeORM's schema builder compares the two:
 * after every migration has run it must have nothing to change. Tables without an entity (the
 * SQLite FTS5 table and its shadow tables, `migrations`) are ignored by the builder, and so are
 * triggers, which stay in the migrations alone.
 */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((query) => query.query);
}

/**
 * Tables the migrations create that no entity may describe, per engine: TypeORM's own; on SQLite
 * the FTS5 virtual table and its shadow tables (ArticleSearch1732700000200); on PostgreSQL the
 * search tables of ArticleSearchPostgres1732700000420 (src/search/fts.postgres.ts), which exist
 * on that engine only and whose tsvector column, GIN index and STORAGE MAIN no decorator can say.
 * (Both engines name their search table `article_search`; the lists are kept apart so that one
 * engine's exclusion cannot hide a table on the other.)
 */
const UNMANAGED: Record<"sqlite" | "postgres", (table: string) => boolean> = {
  sqlite: (table) => table === "sqlite_sequence" || table === FTS_TABLE || table.startsWith(`${FTS_TABLE}_`),
  postgres: (table) => table === SEARCH_TABLE || table === TERMS_TABLE,
};
const unmanaged = (dataSource: DataSource, table: string): boolean =>
  table === "migrations" || UNMANAGED[dataSource.options.type === "postgres" ? "postgres" : "sqlite"](table);

async function tablesWithoutEntity(dataSource: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await dataSource.query(
    dataSource.options.type === "postgres"
      ? `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`
      : `SELECT name FROM sqlite_master WHERE type = 'table'`,
  );
  const declared = new Set(dataSource.entityMetadatas.map((metadata) => metadata.tableName));
  return rows.map((row) => row.name).filter((name) => !declared.has(name) && !unmanaged(dataSource, name)).sort();
}

/**
 * The builder compares an index's name, columns and uniqueness but not a partial index's WHERE.
 * SQLite keeps the clause as written, so there it is compared as text (PostgreSQL rewrites it).
 */
async function partialIndexDrift(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type === "postgres") return [];
  const drift: string[] = [];
  for (const metadata of dataSource.entityMetadatas) {
    for (const index of metadata.indices.filter((i) => i.where)) {
      const [row] = await dataSource.query(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, [index.name]);
      const stored = /WHERE (.*)$/s.exec(row?.sql ?? "")?.[1];
      if (stored !== index.where) drift.push(`${index.name}: entity WHERE ${index.where}, database WHERE ${stored}`);
    }
  }
  return drift;
}

async function assertInSync(dataSource: DataSource): Promise<void> {
  // The schema builder looks only at tables that have an entity, so a table without one is looked for here.
  assert.deepEqual(await tablesWithoutEntity(dataSource), [], "tables created by migrations with no entity: add one to src/entities and to `entities` in src/db/data-source.ts");
  assert.deepEqual(await partialIndexDrift(dataSource), []);
  const pending = await pendingSchemaChanges(dataSource);
  assert.deepEqual(
    pending,
    [],
    `the entities and the migrations disagree; TypeORM would run:\n${pending.join(";\n")}\n` +
      "Declare the column or index on the entity (or fix the migration).",
  );
  // The comparison itself must be live: a column no entity declares and a missing index are reported.
  await dataSource.query(`ALTER TABLE "tags" ADD COLUMN "undeclared" integer`);
  await dataSource.query(`DROP INDEX "ix_article_tags_tag_live"`);
  const drift = await pendingSchemaChanges(dataSource);
  assert.ok(drift.some((query) => /DROP COLUMN "undeclared"|^DROP TABLE "tags"$/.test(query)), drift.join(";\n"));
  assert.ok(drift.some((query) => query.startsWith(`CREATE INDEX "ix_article_tags_tag_live"`)), drift.join(";\n"));
}

// `npm test` runs tests/api again with SQLITE_DRIVER=sqlite3; run standalone, both drivers are checked.
const drivers = process.env.SQLITE_DRIVER ? [process.env.SQLITE_DRIVER] : ["better-sqlite3", "sqlite3"];

describe("entities match the migrated schema", () => {
  for (const driver of drivers) {
    it(`on SQLite (${driver})`, async () => {
      // A SQLite file whatever TEST_DATABASE says: tempDatabaseFile would hand out a PostgreSQL URL there.
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "content-api-schema-sync-")), "content.sqlite");
      const config = loadConfig({ DATABASE_URL: `sqlite:${file}`, SQLITE_DRIVER: driver });
      const dataSource = await openDatabase(config.database);
      try {
        assert.equal(dataSource.options.type, driver === "sqlite3" ? "sqlite" : "better-sqlite3");
        await assertInSync(dataSource);
      } finally {
        await dataSource.destroy();
      }
    });
  }

  it("on PostgreSQL", async (t) => {
    const skip = await engineSkip("postgres");
    if (skip) return t.skip(skip);
    const url = await createPostgresDatabase("schema_sync");
    try {
      const dataSource = await openDatabase(loadConfig({ DATABASE_URL: url }).database);
      try {
        await assertInSync(dataSource);
      } finally {
        await dataSource.destroy();
      }
    } finally {
      await dropDatabase(url);
    }
  });
});
