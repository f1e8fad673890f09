import "reflect-metadata";
import { loadConfig } from "../config";
import { openDatabase } from "../db/data-source";
import { writeTransaction } from "../db/write-lock";
import { ftsModuleFor, refreshPlannerStatistics } from "../db/dialect";

/**
 * `npm run search:reindex`: rebuilds the whole full-text index from the articles table, e.g.
 * after a stemmer change or rows written by hand. One transaction, so readers keep the old
 * index until the new one is complete.
 */
async function main() {
  const config = loadConfig();
  const dataSource = await openDatabase(config.database);
  try {
    const fts = ftsModuleFor(dataSource);
    const started = Date.now();
    let lastReport = started;
    const rows = await writeTransaction(dataSource, (manager) =>
      fts.rebuildIndex(manager, (done) => {
        if (Date.now() - lastReport > 2000) {
          lastReport = Date.now();
          console.log(`  ${done} articles…`);
        }
      }),
    );
    await refreshPlannerStatistics(dataSource);
    const seconds = (Date.now() - started) / 1000;
    console.log(`search index rebuilt: ${rows} articles in ${seconds.toFixed(1)} s (${Math.round(rows / Math.max(seconds, 0.001))} articles/s)`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error) => {
  console.error("search:reindex failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
