import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  /** performance.now() when the body had arrived. */
  at: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Status for the next request; the default answer is 200. */
  answers: number[];
  /** Resolves once `count` requests (optionally only those `matching`) have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number, matching?: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A real HTTP endpoint on 127.0.0.1 that records every request; `port` reuses a port (for a receiver that was down). */
export async function startReceiver(options: { answers?: number[]; port?: number; defaultStatus?: number } = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const answers = [...(options.answers ?? [])];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: any;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      requests.push({ headers: req.headers, body, json, at: performance.now() });
      const status = answers.length ? answers.shift()! : (options.defaultStatus ?? 200);
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status >= 200 && status < 300 ? "ok" : `receiver says ${status}`);
      for (const wake of waiters) wake();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    answers,
    waitFor(count, timeoutMs = 10_000, matching = () => true) {
      const matched = () => requests.filter(matching);
      if (matched().length >= count) return Promise.resolve(matched());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver got ${matched().length} of ${count} requests within ${timeoutMs} ms: ${JSON.stringify(requests.map((r) => r.json?.type))}`));
        }, timeoutMs);
        const check = () => {
          if (matched().length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(matched());
        };
        waiters.add(check);
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A port nothing listens on (it was free a moment ago): requests to it are refused until a receiver takes it. */
export async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
