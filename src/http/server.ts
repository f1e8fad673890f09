import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import type { DataSource } from "typeorm";
import type { AppConfig } from "../config";
import { systemClock, type Clock } from "../clock";
import type { RequestScope } from "../db/request-scope";
import type { GraphQLContext } from "../graphql/context";
import { costLimitsPlugin } from "../graphql/limits";
import type { VerdictCache } from "../graphql/verdict-cache";
import { buildAppSchema } from "../graphql/schema";
import { compiledExecution } from "../graphql/compiled-execution";
import { createLoaders } from "../loaders";
import type { ReadContext } from "../loaders/read-context";
import { articleSelectionPlugin } from "../graphql/article-selection.plugin";
import { openReadDataSource } from "../db/data-source";
import { chargeReads, openReadDatabase, type ReadDatabase } from "../db/read-database";
import type { Viewer } from "../viewer";
import { createAuthenticator } from "../auth/authenticate";
import { createFeedRoutes } from "../feeds/feed.routes";
import { createResponseCaching } from "../cache/response-caching";
import { newResponseCacheState } from "../cache/response-cache.plugin";
import { cachingPlugins, etagMatches, etagOf } from "./caching";
import { createFormatError, noteErrorRequest } from "./format-error";
import { databaseFaultPlugin } from "./database-faults";
import { asServiceError } from "../db/driver-errors";
import { BodyTooLargeError, readBody } from "./body";
import { createAdmission } from "./admission";
import { checkRequestShape, requestPartsFromBody, requestPartsFromSearch, throttledWarning } from "./request-shape";
import { createLogger, logRequest, requestLogPlugin, type Logger } from "./request-log";
import { WebhookWorker } from "../webhooks/delivery.worker";
import { isDraining, trackRequests } from "../ops/lifecycle";
import { cacheStatusOf, noteCacheStatus, observeRequest, watchDatabasePool, type CacheStatus } from "../ops/metrics";
import { serveMetrics } from "../ops/metrics-endpoint";
import { metricsPlugin } from "../ops/metrics-plugin";

export interface AppOptions {
  config: AppConfig;
  dataSource: DataSource;
  clock?: Clock;
  /** Resolves a bearer token to a viewer; throws UNAUTHENTICATED for a bad one. */
  authenticate?: (authorization: string | undefined) => Promise<Viewer>;
  /** Where request lines and unexpected errors go; by default JSON on stdout at `config.logLevel`. */
  logger?: Logger;
  /** Where cost verdicts are kept; given by tests that inspect its bound. */
  verdictCache?: VerdictCache;
  /** Where loaders read; by default openReadDatabase (worker threads on SQLite). Tests wrap it to slow it down. */
  readDatabase?: (config: AppConfig, writer: DataSource) => Promise<ReadDatabase>;
}

export interface App {
  server: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  logger: Logger;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function errorBody(message: string, code: string, requestId: string) {
  return { errors: [{ message, extensions: { code, requestId } }] };
}

/**
 * Every error a client receives names its request. formatError adds the id to the errors of a
 * request Apollo ran; the ones Apollo refuses before it builds a context (a body it cannot
 * read) are given it here. Apollo writes `errors` first, so one prefix test keeps answers
 * without errors untouched.
 */
function withRequestId(body: string, requestId: string): string {
  if (!body.startsWith('{"errors":')) return body;
  const parsed = JSON.parse(body) as { errors?: { extensions?: Record<string, unknown> }[] };
  if (!Array.isArray(parsed.errors) || parsed.errors.every((e) => e.extensions?.requestId !== undefined)) return body;
  for (const error of parsed.errors) error.extensions = { ...error.extensions, requestId: error.extensions?.requestId ?? requestId };
  return JSON.stringify(parsed) + "\n";
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, dataSource } = options;
  // Reads (loaders) use their own connections, off the event loop, so they never see a write in
  // progress and never hold up anything but their own request.
  const reader = await (options.readDatabase ?? openReadDatabase)(config, dataSource);
  // TypeORM on its own read connection too, for what reads rarely and is cached (feeds, cache
  // schedule, webhook logs): it sees only committed rows, like the pool.
  const readDataSource = await openReadDataSource(config.database, dataSource);
  const clock = options.clock ?? systemClock;
  const authenticate = options.authenticate ?? createAuthenticator(dataSource, clock);
  const logger = options.logger ?? createLogger(config.logLevel);
  const admission = await createAdmission({ config, reader, logger });
  const schema = await buildAppSchema();
  const warnRefusal = throttledWarning(logger, clock);
  const feeds = await createFeedRoutes({ config, dataSource, readDataSource, reader, clock, logger });
  // What other instances change reaches the feeds' cache through the same channel as GraphQL's.
  const caching = await createResponseCaching({ config, dataSource, readDataSource, clock, logger, onForeignChange: (keys) => feeds.invalidate(keys) });

  const apollo = new ApolloServer<GraphQLContext>({
    // Apollo's gateway hook is how an executor other than graphql-js's plugs in; see compiled-execution.ts.
    gateway: compiledExecution(schema),
    introspection: !config.production,
    // No "Did you mean ...?" hints in production: they let a client map the schema without introspection.
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: false,
    // main.ts owns the signal handling (close HTTP first, then Apollo, then the database).
    stopOnTerminationSignals: false,
    formatError: createFormatError(logger),
    parseOptions: { maxTokens: config.limits.maxTokens },
    // Guards validation itself against fragments that spread into each other exponentially.
    maxRecursiveSelections: true,
    persistedQueries: caching.persistedQueries ? { cache: caching.persistedQueries } : undefined,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Apollo logs its own internals through this; keep them on the structured log too.
    logger: {
      debug: (message) => logger.debug(message),
      info: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    },
    plugins: [
      costLimitsPlugin(config.limits, options.verdictCache),
      articleSelectionPlugin(),
      requestLogPlugin(),
      metricsPlugin(),
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ...cachingPlugins(config, caching.plugin),
      // After costLimitsPlugin, whose complexity it charges for.
      admission.plugin,
      databaseFaultPlugin(),
    ],
  });
  await apollo.start();
  const webhookWorker = config.webhooks.worker ? new WebhookWorker(dataSource, readDataSource, clock, config.webhooks, logger) : null;
  webhookWorker?.start();

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, scope: RequestScope) {
    // A browser opening the endpoint in production would otherwise meet the CSRF refusal.
    if (config.production && req.method === "GET" && !url.search && String(req.headers.accept ?? "").includes("text/html")) {
      const text = "Apollo Sandbox is disabled in production. Send GraphQL requests with POST and content-type: application/json.\n";
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(text)), "x-request-id": scope.requestId });
      res.end(text);
      return;
    }
    let body: unknown;
    if (req.method === "POST") {
      const text = await readBody(req, config.limits.maxBodyBytes);
      const type = String(req.headers["content-type"] ?? "");
      if (type.includes("json")) {
        try {
          body = text.length ? JSON.parse(text) : undefined;
        } catch {
          sendJson(res, 400, errorBody("request body is not valid JSON", "BAD_REQUEST", scope.requestId), { "x-request-id": scope.requestId });
          return;
        }
      } else {
        body = text;
      }
    }
    const refusal = checkRequestShape(req.method === "POST" ? requestPartsFromBody(body) : requestPartsFromSearch(url.searchParams), config.limits.maxVariableDepth);
    if (refusal) {
      scope.errorCodes = [refusal.code];
      warnRefusal(refusal.cause, { requestId: scope.requestId }, "refused a malformed GraphQL request");
      sendJson(res, refusal.status, errorBody(refusal.message, refusal.code, scope.requestId), { "x-request-id": scope.requestId });
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? "GET", headers, search: url.search, body };
    const cache = newResponseCacheState(req.headers.authorization);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => {
        // A token lookup on a lost database answers 503 like any other read, not 500.
        const viewer = await authenticate(req.headers.authorization, scope).catch((error) => {
          const refusal = asServiceError(error);
          noteErrorRequest(refusal, scope);
          throw refusal;
        });
        scope.viewerKind = viewer.kind;
        const now = clock.now();
        const keys = viewer.kind === "anonymous" ? cache.keys : null;
        const reads: ReadContext = { db: chargeReads(reader, scope), entities: readDataSource, viewer, now, keys };
        return { request: scope, viewer, now, writer: dataSource, config, cache, reads, loaders: createLoaders(reads) };
      },
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of result.headers) responseHeaders[name] = value;
    responseHeaders["x-request-id"] = scope.requestId;
    responseHeaders["x-cache"] = cache.status;
    noteCacheStatus(scope, cache.status.toLowerCase() as CacheStatus);
    if (result.body.kind === "complete") {
      if (!config.production) responseHeaders["x-sql-statements"] = String(scope.statements);
      const body = withRequestId(result.body.string, scope.requestId);
      if (body !== result.body.string) responseHeaders["content-length"] = String(Buffer.byteLength(body));
      const status = result.status ?? 200;
      // GET responses a shared cache may keep get a validator, so revalidation costs no body.
      if (req.method === "GET" && status === 200 && /\bpublic\b/.test(responseHeaders["cache-control"] ?? "")) {
        // The same URL answers differently per token and per negotiated media type.
        responseHeaders.vary = "accept, authorization";
        const etag = etagOf(body);
        responseHeaders.etag = etag;
        if (etagMatches(req.headers["if-none-match"], etag)) {
          delete responseHeaders["content-length"];
          res.writeHead(304, responseHeaders);
          res.end();
          return;
        }
      }
      res.writeHead(status, responseHeaders);
      res.end(body);
      return;
    }
    res.writeHead(result.status ?? 200, responseHeaders);
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, scope: RequestScope) {
    if (url.pathname === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (url.pathname === "/readyz") {
      if (isDraining(server)) return sendJson(res, 503, { status: "shutting down" });
      try {
        await reader.probe(config.reads.readyTimeoutMs);
        return sendJson(res, 200, { status: "ready" });
      } catch (error) {
        logger.error({ requestId: scope.requestId, err: error }, "readiness check failed");
        return sendJson(res, 503, { status: "database unavailable" });
      }
    }
    // Health checks are exempt so an orchestrator never restarts a server for being busy.
    const refusal = await admission.arrive(req, scope);
    if (refusal) {
      req.resume();
      scope.errorCodes = [refusal.code];
      return sendJson(res, refusal.status, errorBody(refusal.message, refusal.code, scope.requestId), {
        "retry-after": String(refusal.retryAfterSeconds),
        "x-request-id": scope.requestId,
      });
    }
    if (url.pathname === "/graphql" || url.pathname === "/") return handleGraphQL(req, res, url, scope);
    if (feeds.matches(url.pathname)) return feeds.handle(req, res, url, scope);
    if (url.pathname === "/metrics") return serveMetrics(req, res, { metrics: config.ops.metrics, production: config.production, requestId: scope.requestId });
    req.resume();
    sendJson(res, 404, errorBody("not found", "NOT_FOUND", scope.requestId), { "x-request-id": scope.requestId });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const startedAt = performance.now();
    const incomingId = req.headers["x-request-id"];
    const requestId = typeof incomingId === "string" && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const scope: RequestScope = { requestId, statements: 0 };
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      url = new URL("http://localhost/");
    }
    res.once("close", () => {
      admission.finished(scope);
      const finished = { method: req.method ?? "", path: url.pathname, status: res.statusCode, startedAt, cache: cacheStatusOf(scope, res) };
      logRequest(logger, scope, finished);
      observeRequest(scope, finished);
    });
    try {
      await route(req, res, url, scope);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, errorBody(error.message, "PAYLOAD_TOO_LARGE", requestId), { connection: "close", "x-request-id": requestId });
        return;
      }
      logger.error({ requestId, err: error }, "unhandled request error");
      if (!res.headersSent) sendJson(res, 500, errorBody("Internal server error", "INTERNAL_SERVER_ERROR", requestId), { "x-request-id": requestId });
      else res.destroy();
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;
  // Graceful shutdown bookkeeping (src/ops/lifecycle.ts); `x-worker` outside production tells cluster workers apart.
  trackRequests(server, { workerHeader: !config.production });
  const unwatchPool = watchDatabasePool(dataSource);
  // A malformed request line never reaches `handle`; answer it without echoing anything back.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify(errorBody(tooLarge ? "request line or headers too large" : "malformed HTTP request", "BAD_REQUEST", randomUUID()));
    const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });

  return {
    server,
    apollo,
    logger,
    listen(port, host = "0.0.0.0") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      });
    },
    async close() {
      // Stop taking connections first so nothing reaches Apollo after it has stopped.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await webhookWorker?.stop();
      feeds.close();
      unwatchPool();
      await apollo.stop();
      await caching.close();
      await admission.close();
      await reader.close();
      if (readDataSource !== dataSource) await readDataSource.destroy();
    },
  };
}
