import type { IncomingMessage } from "node:http";
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from "@apollo/server";
import type Redis from "ioredis";
import {
  getArgumentValues,
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { AppConfig } from "../config";
import { createRedis } from "../cache/redis";
import type { RequestScope } from "../db/request-scope";
import type { GraphQLContext } from "../graphql/context";
import { SEARCH_QUEUE_PER_THREAD, serverBusyError, type ReadDatabase } from "../db/read-database";
import { operationComplexity } from "../graphql/limits";
import { buildFtsQuery } from "../search/fts-query";
import { assertPrefixesLongEnough, searchPrice } from "../search/search-price";
import { reportOperationSlots } from "../ops/metrics";
import { LoadShedder } from "./load-shedding";
import { OperationSlots, type SlotOutcome } from "./operation-slots";
import { clientOf, createRateLimiter, type Client, type Decision, type RateLimiter } from "./rate-limit";
import type { Logger } from "./request-log";

/** Complexity (src/graphql/limits.ts) per point: an article page (74) is free, a 20-card front page (1,102) 2 points. */
export const COMPLEXITY_PER_POINT = 500;
/** From this price on, or when it searches, a request is expensive and counts toward the per-client cap. */
export const EXPENSIVE_PRICE = 4;

/** A request refused before it is read: sent as JSON with Retry-After by the HTTP layer. */
export interface Refusal {
  status: 429 | 503;
  code: "RATE_LIMITED" | "SERVER_BUSY";
  message: string;
  retryAfterSeconds: number;
}

export interface Price {
  points: number;
  complexity: number;
  search: number;
  expensive: boolean;
}

/** The `query` argument of every root `search` field the operation selects, through fragments. */
export function searchTexts(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): string[] {
  const field = schema.getQueryType()?.getFields().search;
  if (!field || operation.operation !== OperationTypeNode.QUERY) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const texts: string[] = [];
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== "search") continue;
        try {
          const args = getArgumentValues(field, selection, variables ?? {});
          if (typeof args.query === "string") texts.push(args.query);
        } catch {
          // Arguments that do not coerce fail in execution, before any statement runs.
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return texts;
}

/**
 * What a request costs, in rate-limit points: 1, plus 1 per COMPLEXITY_PER_POINT of complexity,
 * plus the price of each search (src/search/search-price.ts). A search refused for a short
 * prefix adds nothing: it is refused before any statement runs.
 */
export function priceOf(complexity: number, searches: string[]): Price {
  let search = 0;
  for (const text of searches) {
    const parsed = buildFtsQuery(text);
    if (!parsed) continue;
    try {
      assertPrefixesLongEnough(parsed);
    } catch {
      continue;
    }
    search += searchPrice(parsed);
  }
  const points = 1 + Math.floor(complexity / COMPLEXITY_PER_POINT) + search;
  return { points, complexity, search, expensive: search > 0 || points >= EXPENSIVE_PRICE };
}

function rateLimited(message: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: "RATE_LIMITED", http: { status: 429, headers: new HeaderMap([["retry-after", String(retryAfterSeconds)]]) } },
  });
}

function refusalOf(decision: Exclude<Decision, { allowed: true }>): Refusal {
  if ("unavailable" in decision) {
    return { status: 503, code: "SERVER_BUSY", message: "the server cannot check its rate limits right now; retry later", retryAfterSeconds: decision.retryAfterSeconds };
  }
  return { status: 429, code: "RATE_LIMITED", message: "too many requests; retry later", retryAfterSeconds: decision.retryAfterSeconds };
}

/** How long startup waits for the limiter's Redis connection. */
const REDIS_READY_WAIT_MS = 2_000;

function redisReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    redis.once("ready", done);
    function done() {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    }
  });
}

/** Expensive requests in flight per client key; entries go when they reach zero, so the map holds only what is running. */
class InFlight {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Takes a slot under every key, or none when any key is at the limit. */
  acquire(keys: string[]): (() => void) | null {
    if (this.limit <= 0) return () => {};
    if (keys.some((key) => (this.counts.get(key) ?? 0) >= this.limit)) return null;
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const n = (this.counts.get(key) ?? 1) - 1;
        if (n <= 0) this.counts.delete(key);
        else this.counts.set(key, n);
      }
    };
  }
}

/**
 * A 503 SERVER_BUSY answer in place of execution. Apollo turns an error thrown from
 * `responseForOperation` into a 500 and an error-level log line, so the refusal is returned as
 * the response itself, shaped as formatError would have shaped it.
 */
function busyResponse(requestId: string): Pick<GraphQLResponse, "body" | "http"> {
  const error = serverBusyError();
  const { http, ...extensions } = error.extensions as { http: { status: number; headers: HeaderMap } } & Record<string, unknown>;
  return {
    body: { kind: "single", singleResult: { errors: [{ message: error.message, extensions: { ...extensions, requestId } }] } },
    http: { status: http.status, headers: http.headers },
  };
}

export interface Admission {
  /** Every request but health checks: shed when overloaded, then charge the first point. */
  arrive(req: IncomingMessage, scope: RequestScope): Promise<Refusal | null>;
  /**
   * Prices the operation, caps expensive requests per client and charges the rest of the price;
   * then, unless the response cache answered, waits for an operation slot.
   */
  plugin: ApolloServerPlugin<GraphQLContext>;
  /** The HTTP response is done: whatever the request still held is released. */
  finished(scope: RequestScope): void;
  readonly shedder: LoadShedder;
  readonly limiter: RateLimiter;
  readonly slots: OperationSlots;
  close(): Promise<void>;
}

/**
 * Decides which requests the server takes on, in three steps:
 *
 * 1. at the door (`arrive`): while the read queue or the event loop is past its threshold, new
 *    requests get 503 SERVER_BUSY; otherwise the client pays one point or gets 429;
 * 2. once the operation is known and priced: a price no budget can hold gets 400, an expensive
 *    request beyond the client's concurrent cap 429, and the rest of the price is charged (429
 *    when the client cannot pay);
 * 3. unless the response cache answers it, the operation waits for one of the process's
 *    operation slots (MAX_CONCURRENT_OPERATIONS), in a bounded queue with a deadline, and one
 *    that searches first for a search slot (as many as the search readers take); a request the
 *    queue cannot take, or that waits past the deadline, gets 503 SERVER_BUSY. A cache hit runs
 *    no resolver, so it never waits;
 * 4. when the response is done, its slots are released, and when the response cache answered
 *    it, or the queue refused it, the rest of the price is given back: a cache hit costs one point.
 */
export async function createAdmission(options: { config: AppConfig; reader: Pick<ReadDatabase, "queued">; logger: Logger }): Promise<Admission> {
  const { config, reader, logger } = options;
  const redis: Redis | null = config.redisUrl ? createRedis(config.redisUrl, logger, "content-api-rate-limit") : null;
  // Counters shared from the first request when Redis is there; when it is not, the failure
  // policy applies from the start rather than after a wait.
  if (redis) await redisReady(redis, REDIS_READY_WAIT_MS);
  const limiter = createRateLimiter(config.rateLimit, { redis, failure: config.rateLimit.redisFailure, prefix: config.rateLimit.redisPrefix });
  const shedder = new LoadShedder(config.shedding, reader);
  const inFlight = new InFlight(config.rateLimit.expensiveConcurrency);
  const slots = new OperationSlots(config.operations);
  // Searches beyond what the search readers take (each thread and its short queue) would be
  // refused there, and a refused client asks again at once: they wait here instead, on their
  // own, so a page read never queues behind a search. Off with the operation bound.
  const searchSlots = new OperationSlots({
    ...config.operations,
    maxConcurrent: config.operations.maxConcurrent > 0 ? config.reads.searchPoolSize * (1 + SEARCH_QUEUE_PER_THREAD) : 0,
  });
  const unreportSlots = reportOperationSlots(() => ({ active: slots.active, queued: slots.queued + searchSlots.queued }));
  const clients = new WeakMap<RequestScope, Client>();
  /** What each request holds: its expensive-request slot, its operation slot or place in the queue. */
  const holds = new WeakMap<RequestScope, (() => void)[]>();
  let lastShedLog = 0;

  const hold = (scope: RequestScope, release: () => void) => {
    const held = holds.get(scope);
    if (held) held.push(release);
    else holds.set(scope, [release]);
  };

  const release = (scope: RequestScope) => {
    for (const free of holds.get(scope) ?? []) free();
    holds.delete(scope);
  };

  const refuse = (scope: RequestScope, error: GraphQLError): never => {
    // Thrown before execution, so the request log's own hook never sees it.
    scope.errorCodes = [String(error.extensions.code)];
    throw error;
  };

  return {
    shedder,
    limiter,
    slots,
    async arrive(req, scope) {
      const overloaded = shedder.overloaded();
      if (overloaded) {
        // Once a minute is enough to tell an operator; a line per refusal would add to the load.
        const now = Date.now();
        if (now - lastShedLog >= 60_000) {
          lastShedLog = now;
          logger.warn(
            { requestId: scope.requestId, reason: overloaded, readQueue: reader.queued, operationQueue: slots.queued, eventLoopDelayMs: Math.round(shedder.eventLoopDelayMs) },
            "shedding load",
          );
        }
        return { status: 503, code: "SERVER_BUSY", message: "the server is busy; retry later", retryAfterSeconds: 1 };
      }
      const client = clientOf(req, config.rateLimit.trustProxy);
      clients.set(scope, client);
      const decision = await limiter.charge(client, 1);
      return decision.allowed ? null : refusalOf(decision);
    },
    finished: release,
    plugin: {
      async requestDidStart({ contextValue }) {
        const scope = contextValue.request;
        const client = clients.get(scope);
        let refund: (() => Promise<void>) | undefined;
        let searches = false;
        return {
          async didResolveOperation({ schema, document, operation, request }) {
            if (!operation) return;
            const texts = searchTexts(schema, document, operation, request.variables);
            searches = texts.length > 0;
            if (!client) return;
            const price = priceOf(operationComplexity(request), texts);
            const capacity = limiter.capacity(client);
            if (price.points > capacity) {
              refuse(
                scope,
                new GraphQLError(`query price ${price.points} exceeds the most a client may spend at once (${capacity})`, {
                  extensions: { code: "QUERY_TOO_COMPLEX", measure: "price", limit: capacity, actual: price.points, http: { status: 400 } },
                }),
              );
            }
            if (price.expensive) {
              const keys = [`a:${client.address}`, ...(client.token ? [`t:${client.token}`] : [])];
              const slot = inFlight.acquire(keys);
              if (!slot) refuse(scope, rateLimited("too many expensive requests (searches, large queries) at once; retry when one has finished", 1));
              hold(scope, slot!);
            }
            if (price.points > 1) {
              const decision = await limiter.charge(client, price.points - 1);
              if (!decision.allowed) {
                release(scope);
                const refusal = refusalOf(decision);
                refuse(
                  scope,
                  new GraphQLError(refusal.code === "RATE_LIMITED" ? `this query costs ${price.points} points, more than is left; retry later` : refusal.message, {
                    extensions: {
                      code: refusal.code,
                      price: price.points,
                      http: { status: refusal.status, headers: new HeaderMap([["retry-after", String(refusal.retryAfterSeconds)]]) },
                    },
                  }),
                );
              }
              refund = decision.allowed ? decision.refund : undefined;
            }
          },
          // Apollo asks plugins in order until one answers; this one comes after the response
          // cache, so it runs only for requests that will execute.
          async responseForOperation() {
            const startedAt = Date.now();
            let outcome: SlotOutcome = "granted";
            if (searches) {
              const searchTicket = searchSlots.take();
              hold(scope, searchTicket.release);
              outcome = await searchTicket.outcome;
            }
            if (outcome === "granted") {
              // One deadline for the whole wait, however it was spent.
              const { queueTimeoutMs } = config.operations;
              const ticket = slots.take(queueTimeoutMs > 0 ? Math.max(1, queueTimeoutMs - (Date.now() - startedAt)) : 0);
              hold(scope, ticket.release);
              outcome = await ticket.outcome;
            }
            if (outcome === "granted") return null;
            // Nothing ran: the price beyond the first point goes back, as for a cache hit.
            await refund?.();
            refund = undefined;
            return busyResponse(scope.requestId);
          },
          async willSendResponse({ metrics }) {
            release(scope);
            // The response cache answered: nothing ran, so only the first point is kept.
            if (metrics.responseCacheHit && refund) await refund();
          },
        };
      },
    },
    async close() {
      unreportSlots();
      shedder.close();
      if (redis) redis.disconnect();
    },
  };
}
