import type { ApolloServerPlugin, GraphQLRequest } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import type { AppConfig } from "../config";
import { VerdictCache } from "./verdict-cache";

export type CostLimits = Pick<AppConfig["limits"], "maxDepth" | "maxComplexity" | "maxAliases" | "maxDirectives">;

type Measure = "depth" | "complexity" | "aliases" | "directives";

function queryTooComplex(measure: Measure, limit: number, actual?: number): GraphQLError {
  const message = actual === undefined ? `query is too large to price (${measure} limit ${limit})` : `query ${measure} ${actual} exceeds the limit of ${limit}`;
  return new GraphQLError(message, {
    extensions: { code: "QUERY_TOO_COMPLEX", measure, limit, ...(actual === undefined ? {} : { actual }), http: { status: 400 } },
  });
}

/**
 * A field with a `first` argument returns up to `first` items, each costing its selection, so
 * its cost is its children times `first` (the schema default applies when the query omits it;
 * graphql-query-complexity hands us coerced arguments). This keeps the estimate in step with
 * the schema without a complexity decorator on every resolver.
 */
export const pagedListEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if (typeof args.first !== "number") return undefined;
  return 1 + Math.max(args.first, 0) * Math.max(childComplexity, 1);
};

const estimators = [pagedListEstimator, simpleEstimator({ defaultComplexity: 1 })];

/** Fields reached below the root, counting through fragments; introspection fields are left to
 * graphql's own MaxIntrospectionDepthRule since they never reach the database. */
export function operationDepth(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): number {
  const fragmentDepth = new Map<string, number>();
  const depthOf = (selectionSet: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
      } else {
        const name = selection.name.value;
        if (seen.has(name)) continue; // validation already rejects cycles; never loop on one
        let depth = fragmentDepth.get(name);
        if (depth === undefined) {
          depth = depthOf(fragments.get(name)?.selectionSet, new Set(seen).add(name));
          fragmentDepth.set(name, depth);
        }
        deepest = Math.max(deepest, depth);
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}

/** Aliases and directives are counted over the whole document as written: each one is work for
 * validation and execution even when a fragment holding it is spread once. */
export function countAliasesAndDirectives(document: DocumentNode): { aliases: number; directives: number } {
  let aliases = 0;
  let directives = 0;
  visit(document, {
    Field(node) {
      if (node.alias) aliases++;
    },
    Directive() {
      directives++;
    },
  });
  return { aliases, directives };
}

/** Returns the operation's complexity, or null when its variables do not coerce (execution refuses it). */
export function checkCostLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: CostLimits,
): number | null {
  const { aliases, directives } = countAliasesAndDirectives(document);
  if (aliases > limits.maxAliases) throw queryTooComplex("aliases", limits.maxAliases, aliases);
  if (directives > limits.maxDirectives) throw queryTooComplex("directives", limits.maxDirectives, directives);

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const depth = operationDepth(operation, fragments);
  if (depth > limits.maxDepth) throw queryTooComplex("depth", limits.maxDepth, depth);

  let complexity: number;
  try {
    // Only the operation that will run is priced; other operations in the document never execute.
    complexity = getComplexity({
      schema,
      estimators,
      query: { kind: Kind.DOCUMENT, definitions: [operation, ...fragments.values()] },
      variables: variables ?? {},
    });
  } catch (error) {
    // Variables that do not coerce fail the request in execution with BAD_USER_INPUT before any
    // resolver runs, which is the clearer error; anything else means the estimate gave up.
    if (error instanceof GraphQLError && /^Variable "\$/.test(error.message)) return null;
    throw queryTooComplex("complexity", limits.maxComplexity);
  }
  if (complexity > limits.maxComplexity) throw queryTooComplex("complexity", limits.maxComplexity, complexity);
  return complexity;
}

/** The complexity of each admitted request's operation, for admission to charge (src/http/admission.ts). */
const complexities = new WeakMap<GraphQLRequest, number>();

export function operationComplexity(request: GraphQLRequest): number {
  return complexities.get(request) ?? 0;
}

/**
 * Prices the resolved operation (with its variables) before execution starts. The verdict is
 * remembered per document text, operation and variables in a bounded cache, so the hot
 * front-end queries are priced once, not on every request.
 */
export function costLimitsPlugin(limits: CostLimits, verdicts: VerdictCache = new VerdictCache()): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, queryHash }) {
          if (!operation) return;
          // graphql-js validation accepts `subscription { ... }` on a schema without a
          // Subscription type and only fails in execution, as an internal error; refuse it here.
          if (!schema.getRootType(operation.operation)) {
            throw new GraphQLError(`this API has no ${operation.operation} operations`, {
              extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } },
            });
          }
          const key = VerdictCache.keyOf(queryHash, operation.name?.value ?? "", request.variables);
          const cached = verdicts.get(key);
          if (cached !== undefined) {
            // A fresh error each time: Apollo may annotate the one it is given.
            if (cached !== null && typeof cached === "object") throw new GraphQLError(cached.message, { extensions: { ...cached.extensions } });
            if (typeof cached === "number") complexities.set(request, cached);
            return;
          }
          let verdict: number | null;
          try {
            verdict = checkCostLimits(schema, document, operation, request.variables, limits);
            if (verdict !== null) complexities.set(request, verdict);
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            verdicts.set(key, { message: error.message, extensions: { ...error.extensions } });
            throw error;
          }
          verdicts.set(key, verdict);
        },
      };
    },
  };
}
