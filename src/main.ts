import "reflect-metadata";
import { loadConfig } from "./config";
import { openDatabase } from "./db/data-source";
import { startupFailureLine } from "./db/driver-errors";
import { createApp } from "./http/server";
import { seedIfEmpty } from "./import/seed-if-empty";

async function main() {
  const config = loadConfig();
  const dataSource = await openDatabase(config.database).catch((error) => {
    // One line naming where it tried (never the password), not a driver stack trace.
    console.error(startupFailureLine(config.database, error));
    process.exit(1);
  });
  await seedIfEmpty(dataSource);
  const app = await createApp({ config, dataSource });
  const port = await app.listen(config.port);
  console.log(`content API ready at http://localhost:${port}/graphql${config.production ? "" : " (Apollo Sandbox in a browser)"}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing open requests`);
    await app.close();
    await dataSource.destroy();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error) => {
  console.error("failed to start:", error);
  process.exit(1);
});
