import type { DataSource } from "typeorm";
import { schemaSpelling } from "./dialect";

/**
 * The entities describe the tables the migrations create, on both engines. Three things are
 * spelled differently by the engines and cannot be said with one TypeORM decorator option, so
 * the entities use one engine-neutral form and this module, run once TypeORM has built the
 * metadata, gives it the engine's spelling (src/db/dialect.ts, schemaSpelling):
 *
 * - an instant (`type: Date`, and the create/update/delete date columns) is `datetime` UTC text
 *   on SQLite and `timestamptz` on PostgreSQL (TypeORM would say `timestamp`, without zone);
 * - "now" as a column default (CURRENT_INSTANT) is the migrations' millisecond `strftime` on
 *   SQLite and `now()` on PostgreSQL;
 * - a foreign key written inline (`REFERENCES ...` in CREATE TABLE) has no name on SQLite and is
 *   named `<table>_<columns>_fkey` by PostgreSQL; TypeORM would invent an `FK_<hash>` name
 *   (declared with `@ForeignKey`, not a relation: nothing loads relations, reads are SQL).
 *
 * TypeORM uses these to compare or generate DDL and, on SQLite, to inline a default into an INSERT
 * that omits the column; it converts values the same way for all of them. A declared default also
 * makes TypeORM read the column back after an insert (a SELECT on SQLite, RETURNING on PostgreSQL)
 * unless the insert says `updateEntity(false)`.
 */

/** `default: CURRENT_INSTANT`: the insert time, as the migrations' `DEFAULT` spells it on each engine (SQLite's until applySchemaForms runs). */
export const CURRENT_INSTANT = (): string => schemaSpelling({ dialect: "sqlite" }).nowDefault;

export function applySchemaForms(dataSource: DataSource): void {
  const spelling = schemaSpelling(dataSource);
  const nowDefault = (): string => spelling.nowDefault;
  const driver = dataSource.driver;
  for (const metadata of dataSource.entityMetadatas) {
    for (const column of metadata.columns) {
      if (column.default === CURRENT_INSTANT) column.default = nowDefault;
      if (spelling.instantType && driver.normalizeType(column) === "timestamp without time zone") column.type = spelling.instantType;
    }
    for (const foreignKey of metadata.foreignKeys) {
      // A name the entity gives (a migration's `CONSTRAINT "name" FOREIGN KEY`) is the name on both engines.
      if (foreignKey.givenName) continue;
      foreignKey.name = spelling.inlineForeignKeyName(metadata.tableName, foreignKey.columnNames) as string;
    }
  }
}
