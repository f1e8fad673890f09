import cluster from "node:cluster";
import type http from "node:http";
import type { ServerResponse } from "node:http";
import { httpRequestsInFlight } from "./metrics";

/**
 * The server's side of a graceful shutdown: which servers are draining (their `/readyz`
 * answers 503), which responses are in flight, and keep-alive connections closed after their
 * current response instead of waiting for the client to hang up.
 */
const draining = new WeakSet<http.Server>();
const inFlight = new WeakMap<http.Server, Set<ServerResponse>>();

export function isDraining(server: http.Server): boolean {
  return draining.has(server);
}

/** Installs the bookkeeping on a server; `workerHeader` adds `x-worker` (cluster worker id) outside production. */
export function trackRequests(server: http.Server, options: { workerHeader: boolean }): void {
  const responses = new Set<ServerResponse>();
  inFlight.set(server, responses);
  const workerId = options.workerHeader && cluster.isWorker ? String(cluster.worker?.id ?? "") : null;
  // Prepended, so it runs before the app's handler can send headers.
  server.prependListener("request", (_req, res: ServerResponse) => {
    responses.add(res);
    httpRequestsInFlight.inc();
    if (workerId) res.setHeader("x-worker", workerId);
    if (draining.has(server)) res.shouldKeepAlive = false;
    res.once("close", () => {
      responses.delete(res);
      httpRequestsInFlight.dec();
      // A response that went out with keep-alive before the drain began leaves an idle socket.
      if (draining.has(server)) setImmediate(() => server.closeIdleConnections());
    });
  });
}

/** `/readyz` turns 503, responses not yet started go out with `connection: close`, idle connections close. */
export function beginDrain(server: http.Server): void {
  draining.add(server);
  for (const res of inFlight.get(server) ?? []) {
    if (!res.headersSent) res.shouldKeepAlive = false;
  }
  server.closeIdleConnections();
}

export function requestsInFlight(server: http.Server): number {
  return inFlight.get(server)?.size ?? 0;
}

/**
 * Timers, pollers and outbox workers register how to stop here; a shutdown calls every stop
 * after the last request has finished and before the database closes.
 */
const backgroundWork = new Map<string, () => void | Promise<void>>();

export function registerBackgroundWork(name: string, stop: () => void | Promise<void>): () => void {
  backgroundWork.set(name, stop);
  return () => {
    if (backgroundWork.get(name) === stop) backgroundWork.delete(name);
  };
}

/** Stops every registered piece of background work, each given at most `deadlineMs`; returns the names that failed or overran. */
export async function stopBackgroundWork(deadlineMs: number): Promise<string[]> {
  const entries = [...backgroundWork.entries()];
  backgroundWork.clear();
  const failed: string[] = [];
  await Promise.all(
    entries.map(async ([name, stop]) => {
      let timer: NodeJS.Timeout | undefined;
      const overran = new Promise<"overran">((resolve) => (timer = setTimeout(() => resolve("overran"), deadlineMs)));
      try {
        if ((await Promise.race([Promise.resolve(stop()).then(() => "stopped" as const), overran])) === "overran") failed.push(name);
      } catch {
        failed.push(name);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return failed;
}
