import { GraphQLError } from "graphql";

/** The error codes clients can branch on; each maps to one kind of failure the client can act on. */
export type ErrorCode = "BAD_USER_INPUT" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "SERVICE_UNAVAILABLE";

const httpStatus: Record<ErrorCode, number | undefined> = {
  BAD_USER_INPUT: undefined,
  UNAUTHENTICATED: 401,
  FORBIDDEN: undefined,
  NOT_FOUND: undefined,
  CONFLICT: undefined,
  SERVICE_UNAVAILABLE: 503,
};

export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  const status = httpStatus[code];
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) },
  });
}

export const badInput = (message: string, fields?: Record<string, string>) =>
  userError("BAD_USER_INPUT", message, fields ? { fields } : {});
export const notFound = (what: string) => userError("NOT_FOUND", `${what} not found`);
export const forbidden = (message: string) => userError("FORBIDDEN", message);
export const unauthenticated = (message = "a valid API token is required") => userError("UNAUTHENTICATED", message);
export const conflict = (message: string) => userError("CONFLICT", message);
/** The database could not take this write in time (another writer held it); nothing was written, so it may be sent again. */
export const serviceUnavailable = (message: string) => userError("SERVICE_UNAVAILABLE", message);
