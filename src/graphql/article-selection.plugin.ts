import type { ApolloServerPlugin } from "@apollo/server";
import { articleSelectionOf } from "../loaders/article-selection";
import type { GraphQLContext } from "./context";

/**
 * Once the operation is known and before it executes, tells this request's loaders which
 * article columns its fields need, so lists of titles never fetch bodies.
 */
export function articleSelectionPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation, schema }) {
          if (operation) contextValue.reads.selection = articleSelectionOf(schema, document, operation);
        },
      };
    },
  };
}
