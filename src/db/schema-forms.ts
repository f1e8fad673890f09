import type { DataSource } from "typeorm";

/**
 * The entities describe the tables the migrations create, on both engines. Three things are
 * spelled differently by the engines and cannot be said with one TypeORM decorator option, so
 * the entities use one engine-neutral form and this module, run once TypeORM has built the
 * metadata, gives it the engine's spelling:
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

const SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/** `default: CURRENT_INSTANT`: the insert time, as the migrations' `DEFAULT` spells it on each engine. */
export const CURRENT_INSTANT = (): string => SQLITE_NOW;
const POSTGRES_NOW = (): string => "now()";

export function applySchemaForms(dataSource: DataSource): void {
  const postgres = dataSource.options.type === "postgres";
  const driver = dataSource.driver;
  for (const metadata of dataSource.entityMetadatas) {
    for (const column of metadata.columns) {
      if (column.default === CURRENT_INSTANT && postgres) column.default = POSTGRES_NOW;
      if (postgres && driver.normalizeType(column) === "timestamp without time zone") column.type = "timestamp with time zone";
    }
    for (const foreignKey of metadata.foreignKeys) {
      // A name the entity gives (a migration's `CONSTRAINT "name" FOREIGN KEY`) is the name on both engines.
      if (foreignKey.givenName) continue;
      // PostgreSQL truncates identifiers at 63 bytes; every name here is far shorter.
      foreignKey.name = postgres ? `${metadata.tableName}_${foreignKey.columnNames.join("_")}_fkey` : (undefined as unknown as string);
    }
  }
}
