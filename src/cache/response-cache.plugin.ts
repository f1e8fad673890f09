import { createHash } from "node:crypto";
import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import { OperationTypeNode } from "graphql";
import type { GraphQLContext } from "../graphql/context";
import { formatKeyHeader, type KeyHeaderOptions } from "./cache-keys";
import type { CachedResponse, ResponseStore, StoreTicket } from "./response-store";
import type { ScheduleWatch } from "./schedule-watch";

/** What one request's caching did, for the `x-cache` header: HIT, MISS, or BYPASS for token holders. */
export interface ResponseCacheState {
  status: "HIT" | "MISS" | "BYPASS";
  /** The keys its loaders read; null for token holders. */
  keys: Set<string> | null;
  hit?: CachedResponse;
}

/** Token holders (any Authorization header) never read or fill the shared cache. */
export function newResponseCacheState(authorization: string | undefined): ResponseCacheState {
  const bypass = authorization !== undefined && authorization.trim() !== "";
  return { status: bypass ? "BYPASS" : "MISS", keys: bypass ? null : new Set() };
}

function entryId(queryHash: string, operationName: string | null | undefined, variables: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([queryHash, operationName ?? null, variables ?? null]))
    .digest("base64url");
}

export interface ResponseCacheOptions {
  /** Null when RESPONSE_CACHE=off: responses still carry their keys for a CDN. */
  store: ResponseStore | null;
  schedule: ScheduleWatch | null;
  header: KeyHeaderOptions;
}

/**
 * Whole anonymous responses, cached under their document, operation and variables, with the
 * keys their loaders recorded. A write drops exactly the entries holding a key it made stale
 * (src/cache/invalidation.ts), so an edit of one article leaves every other page warm. Every
 * public response carries its keys in the key header for a CDN to purge by.
 */
export function responseCachePlugin(options: ResponseCacheOptions): ApolloServerPlugin<GraphQLContext> {
  const { store, schedule, header } = options;
  const headerName = header.name.toLowerCase();
  return {
    async requestDidStart() {
      let id: string | null = null;
      let ticket: StoreTicket | null = null;
      return {
        async responseForOperation({ contextValue, operation, overallCachePolicy, queryHash, operationName, request, metrics }) {
          const state = contextValue.cache;
          if (!store || state.status !== "MISS" || contextValue.viewer.kind !== "anonymous" || operation?.operation !== OperationTypeNode.QUERY) return null;
          if (!queryHash || !overallCachePolicy.policyIfCacheable()) return null;
          // A scheduled instant that has passed invalidates first, so no list outlives it.
          await schedule?.beforeRead(contextValue.now);
          id = entryId(queryHash, operationName, request.variables);
          const found = await store.lookup(id);
          ticket = found.ticket;
          if (!found.entry) return null;
          state.status = "HIT";
          state.hit = found.entry;
          // Where Apollo's own cache plugin says so too: admission gives back the price of a hit.
          metrics.responseCacheHit = true;
          return { body: { kind: "single", singleResult: { data: found.entry.data } }, http: { status: undefined, headers: new HeaderMap() } };
        },
        async willSendResponse({ contextValue, response, overallCachePolicy, operation }) {
          const state = contextValue.cache;
          if (response.body.kind !== "single" || state.status === "BYPASS" || operation?.operation !== OperationTypeNode.QUERY) return;
          const result = response.body.singleResult;
          const policy = overallCachePolicy.policyIfCacheable();
          if (!policy || result.errors || !result.data) return;
          const keys = state.hit ? state.hit.keys : [...(state.keys ?? [])].sort();
          if (keys.length > 0) response.http.headers.set(headerName, formatKeyHeader(keys, header));
          if (state.hit) {
            response.http.headers.set("age", String(Math.max(0, Math.round((Date.now() - state.hit.storedAt) / 1000))));
            return;
          }
          if (!store || !id || !ticket) return;
          store.store(id, { data: result.data, keys, storedAt: Date.now() }, policy.maxAge, ticket).catch(() => undefined);
        },
      };
    },
  };
}
