import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GraphQLError } from "graphql";
import type { DataSource } from "typeorm";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { writeTransaction } from "../../src/db/write-lock";
import { createPostgresDatabase, postgresAnswers } from "../support/processes";
import { tempSqliteFile } from "../support/database";

/**
 * A unique index that refuses a write nothing above it prevented (two writers that raced past
 * every check) is a CONFLICT the client can retry, with nothing written, on either engine:
 * never an INTERNAL_SERVER_ERROR carrying the driver's text.
 */
async function checkUniqueViolation(ds: DataSource): Promise<void> {
  const attempt = writeTransaction(ds, async (manager) => {
    await manager.query(`INSERT INTO tags (slug, name) VALUES ('kembar', 'Kembar')`);
    await manager.query(`INSERT INTO tags (slug, name) VALUES ('kembar', 'Kembar lagi')`);
  });
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof GraphQLError, `a GraphQLError, got ${String(error)}`);
    assert.equal(error.extensions.code, "CONFLICT");
    assert.doesNotMatch(error.message, /UNIQUE constraint|duplicate key|SQLITE_|violates|tags/);
    return true;
  });
  const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM tags WHERE slug = 'kembar'`);
  assert.equal(Number(n), 0, "the transaction rolled back whole");
  // The writer is free again afterwards.
  await writeTransaction(ds, (manager) => manager.query(`INSERT INTO tags (slug, name) VALUES ('kembar', 'Kembar')`));
}

describe("a unique violation inside a write transaction", async () => {
  const pgAvailable = await postgresAnswers();

  it("SQLite: becomes CONFLICT", async () => {
    const ds = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: `sqlite:${tempSqliteFile("unique")}` }).database);
    try {
      await checkUniqueViolation(ds);
    } finally {
      await ds.destroy();
    }
  });

  describe("PostgreSQL", () => {
    let database: { url: string; drop(): Promise<void> } | undefined;
    let ds: DataSource | undefined;
    before(async () => {
      if (!pgAvailable) return;
      database = await createPostgresDatabase("unique");
      ds = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: database.url }).database);
    });
    after(async () => {
      await ds?.destroy();
      await database?.drop();
    });

    it("PostgreSQL: becomes CONFLICT", { skip: !pgAvailable && "no PostgreSQL answers at TEST_POSTGRES_URL" }, async () => {
      await checkUniqueViolation(ds!);
    });
  });
});
