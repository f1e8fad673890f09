import { spawn, type ChildProcess } from "node:child_process";
import { createPostgresDatabase as createDatabase, dropDatabase } from "./database";
import { MAIN_COMMAND, PROJECT_ROOT } from "./seed-cli";

/**
 * Real server processes (`node dist/src/main.js`) on a database the test chose, for what one
 * process cannot show: two instances writing to one database, a seed run beside a server.
 */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The environment every spawned process gets: quiet, unlimited, the test run's SQLite driver. */
export function processEnv(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: "0",
    LOG_LEVEL: "silent",
    RATE_LIMIT_ADDRESS_PER_MINUTE: "0",
    // Tests measure behaviour, not capacity: a loaded test machine must not shed their requests.
    SHED_EVENT_LOOP_DELAY_MS: "0",
    SHED_QUEUE_DEPTH: "0",
    RATE_LIMIT_TOKEN_PER_MINUTE: "0",
    NODE_ENV: "development",
    ...extra,
  };
}

/** Waits for a child to exit, killing it when it has not within `ms`. */
export function exited(child: ChildProcess, ms = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export async function startServerProcess(databaseUrl: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN_COMMAND], { cwd: PROJECT_ROOT, env: processEnv(databaseUrl, extra), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within 30 s:\n${output}`));
    }, 30_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /content API ready at http:\/\/[^:]+:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    child,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
    },
  };
}

export { postgresAnswers } from "./database";

/** An empty PostgreSQL database on the test server (see tests/support/database.ts), and how to drop it. */
export async function createPostgresDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const url = await createDatabase(label);
  return { url, drop: () => dropDatabase(url) };
}

/** Runs `calls` with at most `concurrency` in flight, returning results in call order. */
export async function runConcurrently<T>(calls: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(calls.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, calls.length) }, async () => {
      while (next < calls.length) {
        const index = next++;
        results[index] = await calls[index]();
      }
    }),
  );
  return results;
}

export async function postGraphQL(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  let body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text, extensions: { code: `HTTP ${response.status}` } }] };
  }
  return { status: response.status, body };
}
