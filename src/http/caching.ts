import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";
import responseCachePlugin from "@apollo/server-plugin-response-cache";
import { InMemoryLRUCache } from "@apollo/utils.keyvaluecache";
import type { ContentVersion } from "../cache/content-version";
import type { AppConfig } from "../config";
import type { GraphQLContext } from "../graphql/context";

/**
 * Caching for anonymous readers, the bulk of a news site's traffic: cache-control hints
 * (defaults here, per type and field in the schema), Apollo's response cache keyed by the
 * content version, and ETags. Token holders never read or write the shared cache, and their
 * responses are marked no-store so no proxy keeps an editor's preview.
 */
export function cachingPlugins(config: AppConfig, contentVersion: ContentVersion): ApolloServerPlugin<GraphQLContext>[] {
  const isAnonymous = async ({ contextValue }: { contextValue: GraphQLContext }) => contextValue.viewer.kind === "anonymous";
  const plugins: ApolloServerPlugin<GraphQLContext>[] = [
    ApolloServerPluginCacheControl({ defaultMaxAge: config.cache.maxAgeSeconds, calculateHttpHeaders: true }),
    {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, operation, overallCachePolicy }) {
            if (contextValue.viewer.kind !== "anonymous" || operation?.operation !== "query") overallCachePolicy.restrict({ maxAge: 0 });
          },
        };
      },
    },
  ];
  if (config.cache.responseCache) {
    plugins.push(
      responseCachePlugin<GraphQLContext>({
        cache: new InMemoryLRUCache({ maxSize: config.cache.maxBytes }),
        extraCacheKeyData: async ({ contextValue }) => contentVersion.at(contextValue.now),
        shouldReadFromCache: isAnonymous,
        shouldWriteToCache: isAnonymous,
      }),
    );
  }
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
