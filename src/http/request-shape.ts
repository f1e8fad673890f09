import { createHash } from "node:crypto";
import type { Clock } from "../clock";
import type { Logger } from "./request-log";

/**
 * Checks on the parts of a GraphQL request that Apollo and graphql-js walk recursively or
 * trust without checking, made before the request reaches them: how deeply `variables` and
 * `extensions` nest (JSON.stringify, the verdict and response cache keys and variable
 * coercion recurse, and 10 000 levels overflow the stack), and the shape of the
 * persisted-query extension (Apollo answers a malformed one with an uncoded error, which
 * became INTERNAL_SERVER_ERROR and an error log with a stack on every request).
 */

export interface RequestRefusal {
  status: number;
  code: "BAD_REQUEST";
  message: string;
  /** A fixed label per kind of mistake: the log is rate-limited per cause. */
  cause: string;
}

/**
 * Nesting of objects and arrays in `value` (a scalar is 0, `{}` is 1), walked with an explicit
 * stack so no input can overflow it; stops as soon as `limit` is passed.
 */
export function exceedsNesting(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const refuse = (cause: string, message: string): RequestRefusal => ({ status: 400, code: "BAD_REQUEST", message, cause });

/**
 * Apollo's APQ protocol: `{ version: 1, sha256Hash }` with the hex SHA-256 of the query text.
 * A hash Apollo does not know is left to it (HTTP 200 + PERSISTED_QUERY_NOT_FOUND, so the
 * client resends the full query); everything that can never succeed is refused here.
 */
function checkPersistedQuery(persistedQuery: unknown, query: unknown): RequestRefusal | null {
  // Apollo ignores a falsy persistedQuery (null, false, ""), so do we.
  if (!persistedQuery) return null;
  if (!isRecord(persistedQuery)) {
    return refuse("persisted-query-shape", "extensions.persistedQuery must be an object { version: 1, sha256Hash }");
  }
  if (persistedQuery.version !== 1) return refuse("persisted-query-version", "extensions.persistedQuery.version must be 1");
  const hash = persistedQuery.sha256Hash;
  if (typeof hash !== "string" || !SHA256_HEX.test(hash)) {
    return refuse("persisted-query-hash", "extensions.persistedQuery.sha256Hash must be the hex SHA-256 of the query");
  }
  if (typeof query === "string" && createHash("sha256").update(query).digest("hex") !== hash) {
    return refuse("persisted-query-mismatch", "extensions.persistedQuery.sha256Hash does not match the query");
  }
  return null;
}

export interface RequestParts {
  query?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

export function checkRequestShape(parts: RequestParts, maxDepth: number): RequestRefusal | null {
  if (exceedsNesting(parts.variables, maxDepth)) return refuse("variables-too-deep", `variables are nested deeper than ${maxDepth} levels`);
  if (exceedsNesting(parts.extensions, maxDepth)) return refuse("extensions-too-deep", `extensions are nested deeper than ${maxDepth} levels`);
  return isRecord(parts.extensions) ? checkPersistedQuery(parts.extensions.persistedQuery, parts.query) : null;
}

/** A GET carries variables and extensions as JSON text; text that does not parse is left to Apollo's own error. */
export function requestPartsFromSearch(search: URLSearchParams): RequestParts {
  const json = (name: string): unknown => {
    const values = search.getAll(name);
    if (values.length !== 1) return undefined;
    try {
      return JSON.parse(values[0]);
    } catch {
      return undefined;
    }
  };
  const queries = search.getAll("query");
  return { query: queries.length === 1 ? queries[0] : undefined, variables: json("variables"), extensions: json("extensions") };
}

/** A POST body as Apollo reads it: only a JSON object carries the parts. */
export function requestPartsFromBody(body: unknown): RequestParts {
  return isRecord(body) ? { query: body.query, variables: body.variables, extensions: body.extensions } : {};
}

/**
 * A client's mistake is worth a warning, not an error with a stack, and anyone can repeat it
 * at will: each cause is logged at most once per interval, with how many were left out since.
 * Causes are a fixed set, so the map stays small.
 */
export function throttledWarning(logger: Logger, clock: Clock, intervalMs = 60_000) {
  const causes = new Map<string, { lastAt: number; suppressed: number }>();
  return (cause: string, fields: Record<string, unknown>, message: string): void => {
    const now = clock.now().getTime();
    const seen = causes.get(cause);
    if (seen && now - seen.lastAt < intervalMs) {
      seen.suppressed++;
      return;
    }
    logger.warn({ cause, ...fields, suppressed: seen?.suppressed ?? 0 }, message);
    causes.set(cause, { lastAt: now, suppressed: 0 });
  };
}
