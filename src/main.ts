import "reflect-metadata";
import cluster from "node:cluster";
import { loadConfig } from "./config";
import { openDatabase } from "./db/data-source";
import { createApp } from "./http/server";
import { seedIfEmpty } from "./import/seed-if-empty";
import { runPrimary } from "./ops/cluster";
import { superviseServer } from "./ops/serve";

async function main() {
  const config = loadConfig();
  if (cluster.isPrimary && config.ops.webConcurrency > 1) {
    // Migrations and the first seeding run once, here, before any worker opens the database.
    return runPrimary(config, async () => {
      const dataSource = await openDatabase(config.database);
      await seedIfEmpty(dataSource);
      await dataSource.destroy();
    });
  }
  const dataSource = await openDatabase(config.database);
  if (cluster.isPrimary) await seedIfEmpty(dataSource);
  const app = await createApp({ config, dataSource });
  const port = await app.listen(config.port);
  await superviseServer({ app, dataSource, config });
  console.log(`content API ready at http://localhost:${port}/graphql${config.production ? "" : " (Apollo Sandbox in a browser)"}`);
}

main().catch((error) => {
  console.error("failed to start:", error);
  process.exit(1);
});
