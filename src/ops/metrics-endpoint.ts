import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { OpsConfig } from "./config";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics";

function sendError(res: ServerResponse, status: number, message: string, code: string, requestId: string, headers: Record<string, string> = {}) {
  const text = JSON.stringify({ errors: [{ message, extensions: { code, requestId } }] });
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), "x-request-id": requestId, ...headers });
  res.end(text);
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Compares digests, so neither the length nor a prefix of the token leaks through timing. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(authorization ?? "");
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

async function writeMetrics(res: ServerResponse, requestId: string): Promise<void> {
  let text: string;
  try {
    text = await metricsText();
  } catch {
    return sendError(res, 503, "metrics unavailable", "SERVICE_UNAVAILABLE", requestId);
  }
  res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store", "content-length": String(Buffer.byteLength(text)), "x-request-id": requestId });
  res.end(text);
}

/**
 * `/metrics` on the public port. With `METRICS_TOKEN` set it needs that bearer token; without
 * one it is open outside production and absent (404, as for any unknown path) in production,
 * where an operator either sets a token or scrapes `METRICS_PORT` on the loopback interface.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, options: { metrics: OpsConfig["metrics"]; production: boolean; requestId: string }): Promise<void> {
  req.resume();
  const { token } = options.metrics;
  if (token === null && options.production) return sendError(res, 404, "not found", "NOT_FOUND", options.requestId);
  if (token !== null && !bearerMatches(req.headers.authorization, token)) {
    return sendError(res, 401, "metrics need the metrics bearer token", "UNAUTHENTICATED", options.requestId, { "www-authenticate": 'Bearer realm="metrics"' });
  }
  if (req.method !== "GET" && req.method !== "HEAD") return sendError(res, 405, "metrics are read with GET", "METHOD_NOT_ALLOWED", options.requestId, { allow: "GET, HEAD" });
  return writeMetrics(res, options.requestId);
}

/**
 * `METRICS_PORT`: a listener on 127.0.0.1 that serves only `/metrics`, without a token: only
 * processes on this machine (a Prometheus agent, a sidecar) can reach it. `text` lets the
 * cluster primary answer with every worker's metrics summed.
 */
export function startMetricsServer(port: number, text: () => Promise<string> = metricsText): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("not found\n");
    }
    text().then(
      (body) => {
        res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" });
        res.end(body);
      },
      () => {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("metrics unavailable\n");
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
