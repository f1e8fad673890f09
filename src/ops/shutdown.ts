import type http from "node:http";
import type { DataSource } from "typeorm";
import type { OpsConfig } from "./config";
import { beginDrain, requestsInFlight, stopBackgroundWork } from "./lifecycle";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Closable {
  server: http.Server;
  close(): Promise<void>;
}

/**
 * The order matters: readiness fails first (a load balancer stops sending), then the listener
 * closes (new connections are refused), requests in flight finish (their connections close
 * after the response), background work stops, and the database closes last, when nothing can
 * use it any more. Returns the exit code: 0, or 1 when requests had to be cut off at the
 * deadline or background work would not stop.
 */
export async function shutDownGracefully(options: {
  app: Closable;
  dataSource: DataSource;
  settings: OpsConfig["shutdown"];
  log: (message: string) => void;
  /** Run last (pid file, metrics listener). */
  cleanup?: (() => void | Promise<void>)[];
}): Promise<number> {
  const { app, dataSource, settings, log } = options;
  let code = 0;
  beginDrain(app.server);
  if (settings.delaySeconds > 0) {
    log(`readiness is 503; closing the listener in ${settings.delaySeconds} s`);
    await sleep(settings.delaySeconds * 1000);
  }
  const closed = app.close();
  log(`listener closed; waiting for ${requestsInFlight(app.server)} requests in flight (at most ${settings.timeoutSeconds} s)`);
  let deadline: NodeJS.Timeout | undefined;
  const finished = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(false), settings.timeoutSeconds * 1000)))]);
  clearTimeout(deadline);
  if (!finished) {
    log(`${requestsInFlight(app.server)} requests still running after ${settings.timeoutSeconds} s: closing their connections`);
    code = 1;
    app.server.closeAllConnections();
    await Promise.race([closed, sleep(5_000)]);
  }
  const stuck = await stopBackgroundWork(5_000);
  if (stuck.length) {
    log(`background work did not stop cleanly: ${stuck.join(", ")}`);
    code = 1;
  }
  await dataSource.destroy();
  for (const step of options.cleanup ?? []) await step();
  log(code === 0 ? "stopped cleanly" : "stopped, not cleanly");
  return code;
}

/**
 * SIGTERM or SIGINT starts `shutdown` once; a second signal exits at once (status 1). Returns
 * a function that starts the same shutdown for another reason (the cluster primary asking)
 * without counting as a signal: Ctrl-C reaches a worker both directly and through the primary.
 */
export function onTerminationSignals(shutdown: (reason: string) => Promise<number>, onForce?: () => void): (reason: string) => void {
  let signals = 0;
  let started = false;
  const start = (reason: string) => {
    if (started) return;
    started = true;
    shutdown(reason).then(
      (code) => process.exit(code),
      (error) => {
        console.error("shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      console.error(`${signal} again: exiting now`);
      onForce?.();
      process.exit(1);
    }
    start(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return start;
}
