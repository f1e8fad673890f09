import type { DataSource, EntityManager } from "typeorm";

/**
 * Raw SQL written with TypeORM's `:name` / `:...list` parameters, on either engine: the driver
 * turns them into its own placeholders. On a transaction's manager, or a data source outside one.
 */
export async function queryNamed<Row = Record<string, unknown>>(on: DataSource | EntityManager, sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  const driver = "connection" in on ? on.connection.driver : on.driver;
  const [query, values] = driver.escapeQueryWithParameters(sql, params, {});
  return on.query(query, values);
}

/** Rows and affected-row count of one statement written with `:name` parameters, on the transaction's connection. */
export async function execute<Row = Record<string, unknown>>(
  manager: EntityManager,
  sql: string,
  params: Record<string, unknown> = {},
): Promise<{ rows: Row[]; affected: number }> {
  const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, params, {});
  const runner = manager.queryRunner;
  if (!runner) throw new Error("execute() runs inside a write transaction");
  const result = await runner.query(query, values, true);
  return { rows: (result.records ?? []) as Row[], affected: Number(result.affected ?? 0) };
}
