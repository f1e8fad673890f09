import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError } from "graphql";
import { currentRequestScope } from "../db/request-scope";
import type { Logger } from "./request-log";

const SAFE_CODES = new Set([
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
  "QUERY_TOO_COMPLEX",
  "RATE_LIMITED",
]);

/**
 * Errors we raised on purpose pass through with their code; anything else (a driver error, a
 * bug) is logged in full with the request id and replaced by a generic message, so no SQL,
 * stack trace, path or driver code ever reaches a client. Every error carries the request id
 * so a client report can be matched to the log line.
 */
export function createFormatError(logger: Logger) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const code = formatted.extensions?.code;
    const original = unwrapResolverError(error);
    const requestId = currentRequestScope()?.requestId;
    // class-validator failures arrive as an ArgumentValidationError from type-graphql, whose own
    // extensions echo the whole input object and class-validator internals; keep only the verdicts.
    const validationErrors = (formatted.extensions?.validationErrors ??
      (original && typeof original === "object" && "validationErrors" in original ? original.validationErrors : undefined)) as
      | { property: string; constraints?: Record<string, string> }[]
      | undefined;
    if (Array.isArray(validationErrors)) {
      const fields: Record<string, string> = {};
      for (const v of validationErrors) {
        fields[v.property] = Object.values(v.constraints ?? {}).join("; ") || "invalid";
      }
      return {
        message: `invalid input: ${Object.keys(fields).join(", ")}`,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: "BAD_USER_INPUT", fields, ...(requestId ? { requestId } : {}) },
      };
    }
    const deliberate = typeof code === "string" && SAFE_CODES.has(code) && (original instanceof GraphQLError || code !== "INTERNAL_SERVER_ERROR");
    if (deliberate) {
      const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, ...(requestId ? { requestId } : {}) } };
    }
    logger.error({ requestId: requestId ?? null, err: original, path: formatted.path }, "unexpected error");
    return {
      message: "Internal server error",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR", ...(requestId ? { requestId } : {}) },
    };
  };
}
