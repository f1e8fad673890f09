import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { getNamedType, isCompositeType, Kind, OperationTypeNode, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { responseCachePlugin, type ResponseCacheOptions } from "../cache/response-cache.plugin";
import type { AppConfig } from "../config";
import type { GraphQLContext } from "../graphql/context";

/**
 * Cache hints: how long a public answer about each type or field may be kept by a browser or
 * CDN (seconds). A response lives as long as the shortest hint among the fields it selects.
 * Writes through this server invalidate its own response cache at once whatever the hint;
 * the hints bound how stale an outside cache can be.
 */
export const CACHE_HINTS = {
  types: {
    Author: 300,
    AuthorConnection: 300,
    AuthorEdge: 300,
    Tag: 300,
    TagConnection: 300,
    TagEdge: 300,
    ArticleRevision: 0,
    ApiToken: 0,
  } as Record<string, number>,
  fields: { "Query.search": 30 } as Record<string, number>,
  /** Types that only describe their parent (paging state, images): they take the parent's age. */
  inherit: new Set(["PageInfo", "FeaturedImage"]),
};

/**
 * The max-age of one operation under the hints above, with Apollo's rules: a field returning
 * an object takes its field hint, else its type's hint, else the default; scalar fields and
 * the `inherit` types take their parent's. Computed by walking the document once and kept
 * per parsed document (Apollo hands back the same DocumentNode for the same text), instead
 * of Apollo's per-field hook that runs for every field of every response.
 */
export function operationMaxAge(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, defaultMaxAge: number): number {
  let maxAge = Number.POSITIVE_INFINITY;
  const typeInfo = new TypeInfo(schema);
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  visit(
    { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] },
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        const type = getNamedType(field.type);
        const fieldHint = CACHE_HINTS.fields[`${parent.name}.${field.name}`];
        const hint = fieldHint ?? (isCompositeType(type) && !CACHE_HINTS.inherit.has(type.name) ? (CACHE_HINTS.types[type.name] ?? defaultMaxAge) : undefined);
        if (hint !== undefined) maxAge = Math.min(maxAge, hint);
      },
    }),
  );
  return Number.isFinite(maxAge) ? maxAge : defaultMaxAge;
}

/**
 * Caching for anonymous readers, the bulk of a news site's traffic: cache-control from the
 * hints, the keyed response cache with its key header (src/cache/response-cache.plugin.ts),
 * and ETags (in server.ts). Token holders never read or write the shared cache, and their
 * responses are marked no-store so no proxy keeps an editor's preview.
 */
export function cachingPlugins(config: AppConfig, responseCache: ResponseCacheOptions): ApolloServerPlugin<GraphQLContext>[] {
  const maxAges = new WeakMap<OperationDefinitionNode, number>();
  const plugins: ApolloServerPlugin<GraphQLContext>[] = [
    // Replaced by the per-document policy below.
    ApolloServerPluginCacheControlDisabled(),
    {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, schema, document, operation, overallCachePolicy }) {
            if (!operation || contextValue.viewer.kind !== "anonymous" || operation.operation !== OperationTypeNode.QUERY) {
              overallCachePolicy.replace({ maxAge: 0 });
              return;
            }
            let maxAge = maxAges.get(operation);
            if (maxAge === undefined) {
              maxAge = operationMaxAge(schema, document, operation, config.cache.maxAgeSeconds);
              maxAges.set(operation, maxAge);
            }
            overallCachePolicy.replace({ maxAge, scope: "PUBLIC" });
          },
          async willSendResponse({ response, overallCachePolicy }) {
            const policy = overallCachePolicy.policyIfCacheable();
            const cacheable = policy && response.body.kind === "single" && !response.body.singleResult.errors;
            response.http.headers.set("cache-control", cacheable ? `max-age=${policy.maxAge}, ${policy.scope.toLowerCase()}` : "no-store");
          },
        };
      },
    },
  ];
  plugins.push(responseCachePlugin(responseCache));
  return plugins;
}

/** A strong validator for a response body; equal bodies give equal tags across restarts. */
export function etagOf(body: string): string {
  return `"${createHash("sha1").update(body).digest("base64url")}"`;
}

export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, "");
    return tag === etag || tag === "*";
  });
}
