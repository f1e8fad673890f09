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
