import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../src/config";

export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  output(): string;
  /** A plain function (it uses no `this`), so tests may pass `server.gql` on to helpers. */
  gql: (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => Promise<{ status: number; body: any }>;
  /** `kill -9`: no shutdown code runs. Resolves once the process is gone. */
  killHard(): Promise<NodeJS.Signals | null>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
}

/**
 * The production entry point (`node dist/src/main.js`) as its own process, on the database and
 * settings in `env`, listening on an ephemeral port read from its ready line.
 */
export async function spawnServer(env: Record<string, string>, readyWithinMs = 60_000): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [path.join(projectRoot, "dist", "src", "main.js")], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "silent", RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", SHED_EVENT_LOOP_DELAY_MS: "0", SHED_QUEUE_DEPTH: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready within ${readyWithinMs} ms:\n${output}`)), readyWithinMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /ready at http:\/\/localhost:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    child,
    output: () => output,
    async gql(query, variables, headers = {}) {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
      return { status: response.status, body: await response.json() };
    },
    async killHard() {
      child.kill("SIGKILL");
      return exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}
