import cluster from "node:cluster";
import type http from "node:http";
import type { DataSource } from "typeorm";
import type { AppConfig } from "../config";
import { whenPrimaryAsksToStop } from "./cluster";
import { startMetricsServer } from "./metrics-endpoint";
import { writeServerPidFile } from "./server-lock";
import { onTerminationSignals, shutDownGracefully } from "./shutdown";

/**
 * What a serving process does besides serving: the pid file and the loopback metrics listener
 * (a single process; in a cluster the primary keeps both), and a graceful shutdown on SIGTERM,
 * SIGINT or, in a worker, the primary's word or its disappearance.
 */
export async function superviseServer(options: { app: { server: http.Server; close(): Promise<void> }; dataSource: DataSource; config: AppConfig }): Promise<void> {
  const { app, dataSource, config } = options;
  const worker = cluster.isWorker;
  const releasePidFile = worker ? () => {} : writeServerPidFile(config.database);
  const metricsServer = !worker && config.ops.metrics.port !== null ? await startMetricsServer(config.ops.metrics.port) : null;
  if (metricsServer) console.log(`metrics at http://127.0.0.1:${metricsServer.port}/metrics`);
  const log = (message: string) => console.log(worker ? `worker ${cluster.worker?.id}: ${message}` : message);
  const start = onTerminationSignals((reason) => {
    log(`${reason}: shutting down`);
    return shutDownGracefully({ app, dataSource, settings: config.ops.shutdown, log, cleanup: [releasePidFile, async () => metricsServer?.close()] });
  });
  if (worker) whenPrimaryAsksToStop(start);
}
