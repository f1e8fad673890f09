import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { MAIN_COMMAND, PROJECT_ROOT } from "./seed-cli";

/** `node dist/src/main.js` as a child process, as an operator runs it, with its output kept. */
export interface SpawnedServer {
  child: ChildProcess;
  /** Base URL (no path) of the public port, once the (first) ready line was printed. */
  base: string;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr, waiting for it if need be. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal name) when the process has exited. */
  exited: Promise<number | string>;
  kill(): void;
}

export async function spawnServer(env: Record<string, string>, options: { readyLines?: number } = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [MAIN_COMMAND], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: "0", NODE_ENV: "development", LOG_LEVEL: "silent", RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", SHED_EVENT_LOOP_DELAY_MS: "0", SHED_QUEUE_DEPTH: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const wake of waiters) wake();
  });

  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(text);
        if (match) return done(() => resolve(match));
        if (gone) return done(() => reject(new Error(`server exited before printing ${pattern}:\n${text}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const readyLines = options.readyLines ?? 1;
  const ready = new RegExp(`(?:content API ready at http://localhost:(\\d+)/graphql[^\\n]*\\n[\\s\\S]*?){${readyLines}}`);
  const match = await waitFor(ready, 60_000);
  return {
    child,
    base: `http://127.0.0.1:${match[1]}`,
    output: () => text,
    waitFor,
    exited,
    kill: () => {
      if (!gone) child.kill("SIGKILL");
    },
  };
}

export interface RawHttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request on a connection of its own (no keep-alive pool), so each one is a new connection. */
export function request(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawHttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: init.method ?? "GET", headers: init.headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

export function postGraphQL(base: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<RawHttpResponse> {
  return request(base, "/graphql", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
}
