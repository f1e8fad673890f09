import type { EntityManager } from "typeorm";

/**
 * Keeps the full-text index in step with articles. Writers (services, the importer) call it
 * inside their transaction after changing an article, so the index never lags a commit.
 * The search issue fills this in; until then there is nothing to keep in step.
 */
export async function reindexArticles(_manager: EntityManager, _articleIds: number[]): Promise<void> {}
