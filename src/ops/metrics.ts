import cluster from "node:cluster";
import client from "prom-client";
import type { ServerResponse } from "node:http";
import type { DataSource } from "typeorm";
import { connectionPoolOf, type PoolCounts } from "../db/dialect";
import type { RequestScope } from "../db/request-scope";

/**
 * Every metric the server exposes, in one registry, so `/metrics` and the modules that count
 * (the HTTP layer, caches, webhooks) agree on names and labels. Labels are bounded: a label
 * value taken from a request (operation name, error code) goes through a function that maps
 * anything past a fixed number of distinct values to `other`, because every label value is a
 * time series kept forever by the process and by Prometheus.
 */
export const registry = new client.Registry();

// Process and runtime: CPU, RSS, heap, GC, handles, event-loop delay (nodejs_eventloop_lag_*).
client.collectDefaultMetrics({ register: registry });

export const OTHER = "other";
/** Distinct operation names given their own label; later names share `other`. */
export const MAX_OPERATION_LABELS = 50;
const MAX_ERROR_CODE_LABELS = 30;

const operationLabels = new Set<string>();
const errorCodeLabels = new Set<string>();

/**
 * The label for an operation: its name when the document resolved to a named operation and
 * the name is among the first {@link MAX_OPERATION_LABELS} seen; unnamed, unresolved and
 * later names are `other`. First come first served is crude, but a real front end's names all
 * appear in the first minutes, and nothing a client sends can grow the set past the bound.
 */
export function operationLabel(name: string | null | undefined): string {
  if (!name || name === OTHER) return OTHER;
  if (operationLabels.has(name)) return name;
  if (operationLabels.size >= MAX_OPERATION_LABELS || !/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return OTHER;
  operationLabels.add(name);
  return name;
}

function errorCodeLabel(code: string): string {
  if (errorCodeLabels.has(code)) return code;
  if (errorCodeLabels.size >= MAX_ERROR_CODE_LABELS || !/^[A-Z][A-Z0-9_]{0,47}$/.test(code)) return OTHER;
  errorCodeLabels.add(code);
  return code;
}

const ROUTES: Record<string, string> = { "/graphql": "graphql", "/": "graphql", "/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics" };
const routeLabel = (path: string) => ROUTES[path] ?? OTHER;

export const httpRequestDuration = new client.Histogram({
  name: "http_request_duration_seconds",
  help: "Time from request to response end, by route, GraphQL operation (bounded, see operationLabel) and status",
  labelNames: ["route", "operation", "status"],
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const httpRequestsInFlight = new client.Gauge({
  name: "http_requests_in_flight",
  help: "Requests received whose response has not ended",
  registers: [registry],
});

export const graphqlErrors = new client.Counter({
  name: "graphql_errors_total",
  help: "Errors in GraphQL responses, by extensions.code",
  labelNames: ["code"],
  registers: [registry],
});

export const sqlStatementsPerRequest = new client.Histogram({
  name: "sql_statements_per_request",
  help: "SQL statements one GraphQL request ran (the x-sql-statements count), by operation",
  labelNames: ["operation"],
  buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100],
  registers: [registry],
});

export const rateLimitRefusals = new client.Counter({
  name: "rate_limit_refusals_total",
  help: "Requests refused with 429 by the rate limiter",
  registers: [registry],
});

export const responseCacheLookups = new client.Counter({
  name: "response_cache_lookups_total",
  help: "Response cache lookups of anonymous queries, by result (hit, miss)",
  labelNames: ["result"],
  registers: [registry],
});

export const responseCacheEvictions = new client.Counter({
  name: "response_cache_evictions_total",
  help: "Entries the response cache dropped to stay within its size bound",
  registers: [registry],
});

export type WebhookOutcome = "delivered" | "failed" | "gave_up";

export const webhookDeliveries = new client.Counter({
  name: "webhook_deliveries_total",
  help: "Webhook delivery attempts, by outcome (delivered: 2xx; failed: will be retried; gave_up: no more retries)",
  labelNames: ["outcome"],
  registers: [registry],
});

export const webhookDeliveryDuration = new client.Histogram({
  name: "webhook_delivery_duration_seconds",
  help: "Time one webhook delivery attempt took, whatever its outcome",
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const webhookOutboxPending = new client.Gauge({
  name: "webhook_outbox_pending",
  help: "Webhook deliveries waiting in the outbox",
  registers: [registry],
});

const cacheEntrySources = new Set<() => number>();

new client.Gauge({
  name: "response_cache_entries",
  help: "Entries held by the in-memory response cache (bounded by RESPONSE_CACHE_MAX_BYTES)",
  registers: [registry],
  collect() {
    let total = 0;
    for (const read of cacheEntrySources) total += read();
    this.set(total);
  },
});

const operationSlotSources = new Set<() => { active: number; queued: number }>();

function sumOperationSlots(pick: (slots: { active: number; queued: number }) => number): number {
  let total = 0;
  for (const read of operationSlotSources) total += pick(read());
  return total;
}

new client.Gauge({
  name: "graphql_operations_running",
  help: "GraphQL operations holding one of the MAX_CONCURRENT_OPERATIONS slots",
  registers: [registry],
  collect() {
    this.set(sumOperationSlots((slots) => slots.active));
  },
});

new client.Gauge({
  name: "graphql_operations_queued",
  help: "GraphQL operations waiting for a slot (at most MAX_QUEUED_OPERATIONS, each at most OPERATION_QUEUE_TIMEOUT_MS)",
  registers: [registry],
  collect() {
    this.set(sumOperationSlots((slots) => slots.queued));
  },
});

// Called by the modules that own the work, so they need not know prom-client.

/** A response cache reports how many entries it holds until the returned function is called. */
export function reportCacheEntries(read: () => number): () => void {
  cacheEntrySources.add(read);
  return () => cacheEntrySources.delete(read);
}

/** Operation slots (src/http/operation-slots.ts) are reported until the returned function is called. */
export function reportOperationSlots(read: () => { active: number; queued: number }): () => void {
  operationSlotSources.add(read);
  return () => operationSlotSources.delete(read);
}

/** A response cache dropped `count` entries to stay within its bound (not expiry, not invalidation). */
export function countCacheEviction(count = 1): void {
  responseCacheEvictions.inc(count);
}

/** One webhook delivery attempt ended; `seconds` is how long it took. */
export function countWebhookDelivery(outcome: WebhookOutcome, seconds?: number): void {
  webhookDeliveries.inc({ outcome });
  if (seconds !== undefined) webhookDeliveryDuration.observe(seconds);
}

export function setWebhookOutboxPending(count: number): void {
  webhookOutboxPending.set(count);
}

/** hit / miss: the response cache answered or was filled; bypass: a token holder's request. */
export type CacheStatus = "hit" | "miss" | "bypass";

/** What the GraphQL layer learned about a request, for its metrics and log line. */
const resolvedOperations = new WeakMap<RequestScope, string | null>();
const cacheStatuses = new WeakMap<RequestScope, CacheStatus>();

export function noteResolvedOperation(scope: RequestScope, name: string | null): void {
  resolvedOperations.set(scope, name);
}

export function noteCacheStatus(scope: RequestScope, status: CacheStatus): void {
  cacheStatuses.set(scope, status);
}

/**
 * The cache status of a finished request: an `x-cache` response header when a cache module
 * sets one, else what the response-cache hook noted, else null (not a cacheable request).
 */
export function cacheStatusOf(scope: RequestScope, res: ServerResponse): string | null {
  const header = res.getHeader("x-cache");
  if (typeof header === "string" && /^[A-Za-z-]{1,16}$/.test(header)) return header.toLowerCase();
  return cacheStatuses.get(scope) ?? null;
}

/** Called once per request when its response has ended (server.ts, next to the log line). */
export function observeRequest(scope: RequestScope, request: { path: string; status: number; startedAt: number; cache: string | null }): void {
  const route = routeLabel(request.path);
  const operation = route === "graphql" ? operationLabel(resolvedOperations.get(scope)) : "";
  const seconds = (performance.now() - request.startedAt) / 1000;
  httpRequestDuration.observe({ route, operation, status: String(request.status) }, seconds);
  if (route === "graphql" && request.status !== 429) sqlStatementsPerRequest.observe({ operation }, scope.statements);
  for (const code of scope.errorCodes ?? []) graphqlErrors.inc({ code: errorCodeLabel(code) });
  if (request.status === 429) rateLimitRefusals.inc();
  if (request.cache === "hit" || request.cache === "miss") responseCacheLookups.inc({ result: request.cache });
}

/** DataSources whose connection pools are reported; SQLite has no pool (one writer, one reader connection). */
const watchedPools = new Set<DataSource>();

function sumPools(pick: (pool: PoolCounts) => number): number {
  let total = 0;
  for (const dataSource of watchedPools) {
    const pool = connectionPoolOf(dataSource);
    if (pool) total += pick(pool);
  }
  return total;
}

new client.Gauge({
  name: "db_pool_connections",
  help: "PostgreSQL pool connections by state (active: checked out, idle); absent on SQLite, which has no pool",
  labelNames: ["state"],
  registers: [registry],
  collect() {
    this.reset();
    if (![...watchedPools].some((ds) => connectionPoolOf(ds))) return;
    this.set({ state: "active" }, sumPools((p) => p.totalCount - p.idleCount));
    this.set({ state: "idle" }, sumPools((p) => p.idleCount));
  },
});

new client.Gauge({
  name: "db_pool_waiting",
  help: "Queries waiting for a PostgreSQL pool connection; always 0 on SQLite, which has no pool",
  registers: [registry],
  collect() {
    this.set(sumPools((p) => p.waitingCount));
  },
});

/** Reports the data source's pool (PostgreSQL) until the returned function is called. */
export function watchDatabasePool(dataSource: DataSource): () => void {
  watchedPools.add(dataSource);
  return () => watchedPools.delete(dataSource);
}

/**
 * In a cluster worker, the registry answers the primary's aggregation requests
 * (prom-client's AggregatorRegistry protocol over the cluster IPC channel).
 */
if (cluster.isWorker) {
  client.AggregatorRegistry.setRegistries([registry]);
  new client.AggregatorRegistry();
}

export const METRICS_REQUEST = "ops:metrics-request";
export const METRICS_RESPONSE = "ops:metrics-response";
const pendingFromPrimary = new Map<number, { resolve(text: string): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
let nextMetricsRequest = 0;
const MAX_PENDING_METRICS = 20;

if (cluster.isWorker) {
  process.on("message", (message: { type?: string; id?: number; text?: string; error?: string }) => {
    if (message?.type !== METRICS_RESPONSE || typeof message.id !== "number") return;
    const pending = pendingFromPrimary.get(message.id);
    if (!pending) return;
    pendingFromPrimary.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined || typeof message.text !== "string") pending.reject(new Error(message.error ?? "no metrics"));
    else pending.resolve(message.text);
  });
}

/** The metrics text: this process's, or in a cluster worker every worker's, summed by the primary. */
export function metricsText(): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics();
  if (pendingFromPrimary.size >= MAX_PENDING_METRICS) return Promise.reject(new Error("too many metrics requests in flight"));
  const id = nextMetricsRequest++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pendingFromPrimary.delete(id);
      reject(new Error("the primary did not answer the metrics request in 5 s"));
    }, 5_000);
    pendingFromPrimary.set(id, { resolve, reject, timer });
    process.send!({ type: METRICS_REQUEST, id });
  });
}

export const METRICS_CONTENT_TYPE = registry.contentType;
