import type { DataSource } from "typeorm";

/** Placeholder until the importer lands: the first start of an empty database loads seeds/. */
export async function seedIfEmpty(_dataSource: DataSource): Promise<void> {}
