import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import type { DataSource } from "typeorm";
import type { AppConfig } from "../config";
import { systemClock, type Clock } from "../clock";
import { requestScope, type RequestScope } from "../db/request-scope";
import type { GraphQLContext } from "../graphql/context";
import { buildAppSchema } from "../graphql/schema";
import { createLoaders } from "../loaders";
import type { Viewer } from "../viewer";
import { createAuthenticator } from "../auth/authenticate";
import { ContentVersion } from "../cache/content-version";
import { cachingPlugins, etagMatches, etagOf } from "./caching";
import { formatError } from "./format-error";
import { BodyTooLargeError, readBody } from "./body";

export interface AppOptions {
  config: AppConfig;
  dataSource: DataSource;
  clock?: Clock;
  /** Resolves a bearer token to a viewer; throws UNAUTHENTICATED for a bad one. */
  authenticate?: (authorization: string | undefined) => Promise<Viewer>;
}

export interface App {
  server: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, dataSource } = options;
  const clock = options.clock ?? systemClock;
  const authenticate = options.authenticate ?? createAuthenticator(dataSource, clock);
  const schema = await buildAppSchema();
  const contentVersion = new ContentVersion(dataSource);

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ...cachingPlugins(config, contentVersion),
    ],
  });
  await apollo.start();

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, scope: RequestScope) {
    let body: unknown;
    if (req.method === "POST") {
      const text = await readBody(req, config.limits.maxBodyBytes);
      const type = String(req.headers["content-type"] ?? "");
      if (type.includes("json")) {
        try {
          body = text.length ? JSON.parse(text) : undefined;
        } catch {
          sendJson(res, 400, { errors: [{ message: "request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
          return;
        }
      } else {
        body = text;
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? "GET", headers, search: url.search, body };
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => {
        const viewer = await authenticate(req.headers.authorization);
        const now = clock.now();
        return { requestId: scope.requestId, viewer, now, dataSource, config, loaders: createLoaders({ dataSource, viewer, now }) };
      },
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of result.headers) responseHeaders[name] = value;
    responseHeaders["x-request-id"] = scope.requestId;
    if (result.body.kind === "complete") {
      if (!config.production) responseHeaders["x-sql-statements"] = String(scope.statements);
      const status = result.status ?? 200;
      // GET responses a shared cache may keep get a validator, so revalidation costs no body.
      if (req.method === "GET" && status === 200 && /\bpublic\b/.test(responseHeaders["cache-control"] ?? "")) {
        // The same URL answers differently per token and per negotiated media type.
        responseHeaders.vary = "accept, authorization";
        const etag = etagOf(result.body.string);
        responseHeaders.etag = etag;
        if (etagMatches(req.headers["if-none-match"], etag)) {
          delete responseHeaders["content-length"];
          res.writeHead(304, responseHeaders);
          res.end();
          return;
        }
      }
      res.writeHead(status, responseHeaders);
      res.end(result.body.string);
      return;
    }
    res.writeHead(result.status ?? 200, responseHeaders);
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const incomingId = req.headers["x-request-id"];
    const requestId = typeof incomingId === "string" && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const scope: RequestScope = { requestId, statements: 0 };
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      await requestScope.run(scope, async () => {
        if (url.pathname === "/healthz") return sendJson(res, 200, { status: "ok" });
        if (url.pathname === "/readyz") {
          try {
            await dataSource.query("SELECT 1");
            return sendJson(res, 200, { status: "ready" });
          } catch {
            return sendJson(res, 503, { status: "database unavailable" });
          }
        }
        if (url.pathname === "/graphql" || url.pathname === "/") return handleGraphQL(req, res, url, scope);
        sendJson(res, 404, { error: "not found" });
      });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { errors: [{ message: error.message, extensions: { code: "PAYLOAD_TOO_LARGE" } }] }, { connection: "close", "x-request-id": requestId });
        return;
      }
      console.error(`[${requestId}] unhandled request error`, error);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", requestId } }] });
      else res.destroy();
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;

  return {
    server,
    apollo,
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
      contentVersion.close();
      await apollo.stop();
    },
  };
}
