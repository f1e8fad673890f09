import "reflect-metadata";
import cluster from "node:cluster";
import { loadConfig } from "./config";
import { openDatabase } from "./db/data-source";
import { startupFailureLine } from "./db/driver-errors";
import { createApp } from "./http/server";
import { seedIfEmpty } from "./import/seed-if-empty";
import { runPrimary } from "./ops/cluster";
import { superviseServer } from "./ops/serve";

async function main() {
  const config = loadConfig();
  const open = () =>
    openDatabase(config.database).catch((error) => {
      // One line naming where it tried (never the password), not a driver stack trace.
      console.error(startupFailureLine(config.database, error));
      process.exit(1);
    });
  if (cluster.isPrimary && config.ops.webConcurrency > 1) {
    // Migrations and the first seeding run once, here, before any worker opens the database.
    return runPrimary(config, async () => {
      const dataSource = await open();
      await seedIfEmpty(dataSource);
      await dataSource.destroy();
    });
  }
  const dataSource = await open();
  if (cluster.isPrimary) await seedIfEmpty(dataSource);
  const app = await createApp({ config, dataSource });
  const port = await app.listen(config.port);
  await superviseServer({ app, dataSource, config });
  console.log(`content API ready at http://localhost:${port}/graphql${config.production ? "" : " (Apollo Sandbox in a browser)"}`);
}

/** What an operator can act on, in one line; the full error only when it is not one we know. */
function startupFailure(error: unknown, port: number | undefined): string | null {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") return `port ${port ?? "?"} is in use; set PORT to a free port`;
  if (code === "EACCES") return `not allowed to listen on port ${port ?? "?"}; set PORT to a port above 1024`;
  return null;
}

main().catch((error) => {
  let port: number | undefined;
  try {
    port = loadConfig().port;
  } catch {
    // The configuration itself was the problem; its message says which variable.
  }
  const line = startupFailure(error, port);
  if (line) console.error(line);
  else console.error("failed to start:", error instanceof Error && /must|DATABASE_URL/.test(error.message) ? error.message : error);
  process.exit(1);
});
