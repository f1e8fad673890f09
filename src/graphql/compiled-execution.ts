import type { GatewayExecutor, GatewayInterface } from "@apollo/server-gateway-interface";
import { execute, getVariableValues, GraphQLError, OperationTypeNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { LRUCache } from "lru-cache";
// Apollo's gateway request contexts, built without a hidden class per request (see there).
import "./gateway-request-context";

export interface CompiledExecutionOptions {
  /** Runs of one (document, operation) on graphql-js before it is compiled. */
  compileAfter: number;
  /** Compiled operations kept, least recently used first out. */
  maxCompiled: number;
}

export const COMPILED_EXECUTION_DEFAULTS: CompiledExecutionOptions = { compileAfter: 2, maxCompiled: 256 };

/**
 * graphql-jit's errors leave `extensions` undefined when what a resolver threw had none (a
 * driver error, a bug), where graphql-js gives an object: Apollo's error formatting reads
 * `extensions.code` and failed on them, so a lost database answered 500 instead of 503. The
 * same error as graphql-js builds it, with jit's locations (graphql-js computes them from AST
 * nodes jit does not keep).
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const standard = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
  (standard as { locations?: GraphQLError["locations"] }).locations = error.locations;
  return standard;
}

/** Operations graphql-jit refused to compile: they keep running on graphql-js. */
const NOT_COMPILABLE = Symbol("not compilable");

export interface CompiledExecution extends GatewayInterface {
  /** Operations running compiled now. */
  compiledOperations(): number;
}

/**
 * Executes the queries a front end repeats all day through graphql-jit, which turns an
 * operation into one JavaScript function: graphql-js walks the document field by field on
 * every request, building argument objects, resolve infos and a promise per level, and on the
 * home page that walk cost more CPU (and, through the garbage it leaves, more collection) than
 * the resolvers and loaders it drives.
 *
 * - An operation is compiled on its `compileAfter`-th run, so a document sent once (an
 *   explorer in Sandbox, a client trying shapes) never pays the few milliseconds of compiling.
 * - Compiled operations and run counts are bounded LRUs keyed by Apollo's digest of the
 *   document text.
 * - Mutations always run on graphql-js: they are rare, and their serial field order is
 *   graphql-js's to keep.
 * - What runs is the same schema with the same resolvers, validation already done by Apollo,
 *   and results go back through Apollo's error formatting like any other. Compiling walks the
 *   document once, like validation, and the document's size is bounded before it gets here.
 */
export function compiledExecution(schema: GraphQLSchema, options: CompiledExecutionOptions = COMPILED_EXECUTION_DEFAULTS): CompiledExecution {
  const compiled = new LRUCache<string, CompiledQuery | typeof NOT_COMPILABLE>({ max: options.maxCompiled });
  const runs = new LRUCache<string, number>({ max: options.maxCompiled * 8 });

  const executor: GatewayExecutor = async ({ document, operation, queryHash, request, context }) => {
    // The name the client asked for: the context's `operationName` is only set once one resolved.
    const { operationName } = request;
    const variables = request.variables ?? {};
    const key = `${queryHash}\u0000${operationName ?? ""}`;
    // No operation (a name the document lacks): graphql-js reports that error as Apollo expects it.
    let query = operation?.operation === OperationTypeNode.QUERY ? compiled.get(key) : NOT_COMPILABLE;
    if (query === undefined) {
      const seen = (runs.get(key) ?? 0) + 1;
      if (seen >= options.compileAfter) {
        const result = compileQuery(schema, document, operationName ?? undefined);
        query = isCompiledQuery(result) ? result : NOT_COMPILABLE;
        compiled.set(key, query);
        runs.delete(key);
      } else {
        runs.set(key, seen);
      }
    }
    if (query !== undefined && query !== NOT_COMPILABLE) {
      const result = (await query.query(undefined, context, variables)) as ExecutionResult;
      if (!result.errors) return result;
      // No data: the compiled operation refused its variables before running. graphql-js words
      // (and locates) a bad variable the way Apollo recognises as BAD_USER_INPUT, so the refusal
      // is worded again by graphql-js; accepted variables are coerced once, by the compiled code.
      if (result.data === undefined && operation?.variableDefinitions?.length) {
        const coerced = getVariableValues(schema, operation.variableDefinitions, variables, { maxErrors: 50 });
        if (coerced.errors) return { errors: coerced.errors };
      }
      return { ...result, errors: result.errors.map(asGraphQLJsError) };
    }
    return execute({ schema, document, contextValue: context, variableValues: variables, operationName });
  };

  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => undefined;
    },
    async stop() {},
    compiledOperations() {
      let n = 0;
      for (const query of compiled.values()) if (query !== NOT_COMPILABLE) n++;
      return n;
    },
  };
}
