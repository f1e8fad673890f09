import { OperationTypeNode } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLContext } from "../graphql/context";
import { noteCacheStatus, noteResolvedOperation } from "./metrics";

/**
 * What only Apollo knows about a request, noted for its metrics and log line: the name of the
 * operation the document resolved to (a name in an invalid document is not an operation and
 * must not take a label), and whether Apollo's response cache answered it.
 */
export function metricsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const scope = contextValue.request;
      return {
        async didResolveOperation({ operationName }) {
          noteResolvedOperation(scope, operationName ?? null);
        },
        async willSendResponse({ contextValue, operation, metrics }) {
          // Apollo's response-cache plugin sets this flag for every query it sees; a cache that
          // replaces it reports through the x-cache header instead (see cacheStatusOf).
          if (typeof metrics.responseCacheHit !== "boolean" || operation?.operation !== OperationTypeNode.QUERY) return;
          if (contextValue?.viewer?.kind !== "anonymous") noteCacheStatus(scope, "bypass");
          else noteCacheStatus(scope, metrics.responseCacheHit ? "hit" : "miss");
        },
      };
    },
  };
}
