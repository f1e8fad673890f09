import cluster, { type Worker } from "node:cluster";
import client from "prom-client";
import type { AppConfig } from "../config";
import { METRICS_REQUEST, METRICS_RESPONSE } from "./metrics";
import { startMetricsServer } from "./metrics-endpoint";
import { writeServerPidFile } from "./server-lock";
import { onTerminationSignals } from "./shutdown";

export const SHUTDOWN_MESSAGE = "ops:shutdown";

/**
 * In a worker, the primary's request to stop (or its disappearance) is listened for from the
 * moment this module loads, so a request that arrives while the worker is still starting is
 * kept and acted on as soon as the server is up, instead of being lost.
 */
let stopReason: string | null = null;
let onStop: ((reason: string) => void) | null = null;
if (cluster.isWorker) {
  const stop = (reason: string) => {
    stopReason ??= reason;
    onStop?.(reason);
  };
  process.on("message", (message: { type?: string }) => {
    if (message?.type === SHUTDOWN_MESSAGE) stop("primary asked");
  });
  // The primary died without saying so: nobody hands this worker connections any more.
  process.on("disconnect", () => stop("primary gone"));
}

/** Calls `callback` when the primary wants this worker to stop (at once if it already asked). */
export function whenPrimaryAsksToStop(callback: (reason: string) => void): void {
  onStop = callback;
  if (stopReason !== null) callback(stopReason);
}

/** More crashes than this within a minute: something is wrong with every worker, not one. */
const MAX_CRASHES_PER_MINUTE = 5;

/**
 * `WEB_CONCURRENCY=N` (N > 1): this process prepares the database once (migrations, first
 * seeding), then forks N workers that each run the whole server and share the port (the
 * primary accepts connections and hands them round-robin). The primary serves no requests; it
 * restarts a worker that dies, answers the workers' `/metrics` with every worker's figures
 * summed, and on SIGTERM/SIGINT asks each worker to shut down gracefully and exits with 0 when
 * all of them did.
 */
export async function runPrimary(config: AppConfig, prepare: () => Promise<void>): Promise<void> {
  await prepare();
  const releasePidFile = writeServerPidFile(config.database);
  const aggregator = new client.AggregatorRegistry();
  const metricsServer = config.ops.metrics.port !== null ? await startMetricsServer(config.ops.metrics.port, () => aggregator.clusterMetrics()) : null;
  if (metricsServer) console.log(`metrics at http://127.0.0.1:${metricsServer.port}/metrics (all workers)`);

  let stopping = false;
  let exitCode = 0;
  const crashes: number[] = [];
  let allExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => (allExited = resolve));
  const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  cluster.on("message", (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== METRICS_REQUEST) return;
    const reply = (body: { text?: string; error?: string }) => {
      if (worker.isConnected()) worker.send({ type: METRICS_RESPONSE, id: message.id, ...body });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (liveWorkers().length === 0) allExited();
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0] < now - 60_000) crashes.shift();
    if (crashes.length > MAX_CRASHES_PER_MINUTE) {
      console.error(`workers keep dying (${crashes.length} in a minute): shutting down`);
      exitCode = 1;
      startShutdown("crash loop");
      return;
    }
    console.error(`worker ${worker.id} exited (${signal ?? `status ${code}`}); starting another`);
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, 1_000).unref();
  });

  const startShutdown = onTerminationSignals(
    async (reason) => {
      stopping = true;
      const workers = liveWorkers();
      console.log(`${reason}: asking ${workers.length} workers to shut down`);
      if (workers.length === 0) allExited();
      for (const worker of workers) {
        if (worker.isConnected()) worker.send({ type: SHUTDOWN_MESSAGE });
        else worker.process.kill("SIGTERM");
      }
      // The workers have their own deadline; this one only catches a worker that hangs anyway.
      const { timeoutSeconds, delaySeconds } = config.ops.shutdown;
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), (timeoutSeconds + delaySeconds + 15) * 1000)))]);
      clearTimeout(timer);
      if (!done) {
        for (const worker of liveWorkers()) worker.process.kill("SIGKILL");
        exitCode = 1;
      }
      releasePidFile();
      await metricsServer?.close();
      console.log(exitCode === 0 ? "all workers stopped cleanly" : "workers stopped, not all cleanly");
      return exitCode;
    },
    () => {
      for (const worker of liveWorkers()) worker.process.kill("SIGKILL");
      releasePidFile();
    },
  );

  console.log(`primary ${process.pid}: starting ${config.ops.webConcurrency} workers`);
  for (let i = 0; i < config.ops.webConcurrency; i++) cluster.fork();
}
