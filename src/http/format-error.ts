import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError } from "graphql";
import { classifyDriverError } from "../db/driver-errors";
import type { RequestScope } from "../db/request-scope";
import type { Logger } from "./request-log";

const SAFE_CODES = new Set([
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "SERVICE_UNAVAILABLE",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
  "QUERY_TOO_COMPLEX",
  "RATE_LIMITED",
  "QUERY_TIMEOUT",
  "SERVER_BUSY",
  "SERVICE_UNAVAILABLE",
]);

/** The request each error arose in: Apollo's formatError is called without the request. */
const requestOfError = new WeakMap<object, RequestScope>();

/** Remembers the request `error` arose in, for formatError's id and log line. */
export function noteErrorRequest(error: unknown, request: RequestScope): void {
  if (!error || typeof error !== "object") return;
  requestOfError.set(error, request);
}

/** Apollo wraps what a resolver or the context function threw (originalError): the note may sit on either. */
function requestOf(error: unknown): RequestScope | undefined {
  for (let e = error; e && typeof e === "object"; e = (e as { originalError?: unknown }).originalError) {
    const found = requestOfError.get(e);
    if (found) return found;
  }
  return undefined;
}

const INTROSPECTION_REFUSED = /^GraphQL introspection is not allowed/;

interface FieldValidationError {
  property: string;
  constraints?: Record<string, string>;
  children?: FieldValidationError[];
}

/** class-validator nests errors for nested inputs; name each failing leaf by its path (`featuredImage.url`). */
function collectFields(errors: FieldValidationError[], prefix: string, into: Record<string, string>): Record<string, string> {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length) into[path] = messages.join("; ");
    if (error.children?.length) collectFields(error.children, path, into);
    if (!messages.length && !error.children?.length) into[path] = "invalid";
  }
  return into;
}

/** type-graphql 2 keeps them in `extensions.validationErrors`; older versions on the error itself. */
function validationErrorsOf(error: unknown): FieldValidationError[] | undefined {
  if (!error || typeof error !== "object") return undefined;
  const carrier = error as { validationErrors?: unknown; extensions?: { validationErrors?: unknown } };
  const found = carrier.extensions?.validationErrors ?? carrier.validationErrors;
  return Array.isArray(found) ? (found as FieldValidationError[]) : undefined;
}

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
    const requestId = requestOf(error)?.requestId;
    // type-graphql's ArgumentValidationError already says BAD_USER_INPUT, but its extensions echo
    // the submitted values and class-validator internals: keep only field paths and verdicts.
    const validationErrors = validationErrorsOf(original) ?? validationErrorsOf({ extensions: formatted.extensions });
    if (validationErrors) {
      const fields = collectFields(validationErrors, "", {});
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
      // Apollo's own wording tells the client how to configure our server; the client only needs the fact.
      const message = INTROSPECTION_REFUSED.test(formatted.message) ? "introspection is disabled" : formatted.message;
      return { ...formatted, message, extensions: { ...extensions, ...(requestId ? { requestId } : {}) } };
    }
    // A lost database or text PostgreSQL cannot store: a code the client can act on (the 503
    // status is set by databaseFaultPlugin), still without the driver's words.
    const fault = classifyDriverError(original);
    if (fault) {
      logger.warn({ requestId: requestId ?? null, err: original, path: formatted.path }, fault === "unavailable" ? "database unavailable" : "unstorable text");
      const [code, message] = fault === "unavailable" ? ["SERVICE_UNAVAILABLE", "the database is unavailable; retry shortly"] : ["BAD_USER_INPUT", "the input contains characters that cannot be stored (such as NUL)"];
      return { message, locations: formatted.locations, path: formatted.path, extensions: { code, ...(requestId ? { requestId } : {}) } };
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
