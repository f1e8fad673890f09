import { GraphQLError } from "graphql";
import type { DatabaseConfig } from "../config";

/**
 * What a database driver error means for the client, decided in one place so resolvers,
 * the request context and start-up agree:
 *  - "unavailable": the database could not be reached or dropped the connection (server
 *    restarting, backend terminated, network). Nothing is wrong with the request; retrying
 *    later works, so it is SERVICE_UNAVAILABLE with HTTP 503, never a 500.
 *  - "unstorable-text": PostgreSQL refuses text it cannot hold (a NUL character, a byte
 *    sequence invalid in UTF-8). SQLite stores or compares such text without complaint, so on
 *    PostgreSQL it is the input that is wrong: BAD_USER_INPUT.
 *  - null: anything else, a bug, which stays INTERNAL_SERVER_ERROR.
 */
export type DriverFault = "unavailable" | "unstorable-text";

/** Socket-level failures (node errno codes) seen while connecting or mid-query. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01 admin_shutdown (what
 * pg_terminate_backend and a fast shutdown send), 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up or shutting down), 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** node-postgres reports a socket closed under a client with these messages and no code; a database closed
 * to connections (ALTER DATABASE … ALLOW_CONNECTIONS false, during maintenance) answers 55000 with the last. */
const UNAVAILABLE_MESSAGES = /Connection terminated|is not currently accepting connections|Client has encountered a connection error|timeout exceeded when trying to connect|Connection ended unexpectedly|server closed the connection unexpectedly/i;

/** 22021 character_not_in_repertoire (NUL, invalid UTF-8), 22P05 untranslatable_character. */
const UNSTORABLE_SQLSTATES = new Set(["22021", "22P05"]);

function codeOf(error: object): string | undefined {
  const carrier = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = carrier.code ?? carrier.driverError?.code;
  return typeof code === "string" ? code : undefined;
}

/** Walks an error and what it wraps (TypeORM's driverError, GraphQL's originalError, AggregateError). */
function* chain(error: unknown, depth = 0): Generator<Error> {
  if (!(error instanceof Error) || depth > 5) return;
  yield error;
  const carrier = error as Error & { driverError?: unknown; originalError?: unknown; cause?: unknown; errors?: unknown };
  yield* chain(carrier.driverError, depth + 1);
  yield* chain(carrier.originalError, depth + 1);
  yield* chain(carrier.cause, depth + 1);
  if (Array.isArray(carrier.errors)) for (const inner of carrier.errors) yield* chain(inner, depth + 1);
}

export function classifyDriverError(error: unknown): DriverFault | null {
  for (const e of chain(error)) {
    if (e instanceof GraphQLError && e.extensions?.code) return null; // raised on purpose
    const code = codeOf(e);
    if (code && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith("08"))) return "unavailable";
    if (code && UNSTORABLE_SQLSTATES.has(code)) return "unstorable-text";
    if (UNAVAILABLE_MESSAGES.test(e.message)) return "unavailable";
  }
  return null;
}

// ---- write conflicts: what the repositories and the write transaction (write-lock.ts) recognise

interface DriverErrorFields {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  driverError?: DriverErrorFields;
}

function fieldsOf(error: unknown): { code?: unknown; constraint?: unknown; text: string } {
  if (!error || typeof error !== "object") return { text: "" };
  const outer = error as DriverErrorFields;
  const fields = { ...(outer.driverError ?? {}), ...outer };
  const message = outer.message ?? outer.driverError?.message;
  return { code: fields.code, constraint: fields.constraint, text: typeof message === "string" ? message : "" };
}

/**
 * A unique index refused a row. With `table` and `column`, only that index counts (the slug
 * retry must not swallow other violations). PostgreSQL names the constraint (`ux_articles_slug`
 * by this schema's convention); SQLite names `table.column` in the message.
 */
export function isUniqueViolation(error: unknown, on?: { table: string; column: string }): boolean {
  const { code, constraint, text } = fieldsOf(error);
  if (code === "23505") return on ? constraint === `ux_${on.table}_${on.column}` : true;
  const sqlite = code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || /UNIQUE constraint failed/.test(text);
  if (!sqlite) return false;
  return on ? new RegExp(`UNIQUE constraint failed: [^\\n]*\\b${on.table}\\.${on.column}\\b`).test(text) : true;
}

/** SQLite: another connection holds the writer (or the database file's lock). */
export function isSqliteBusy(error: unknown): boolean {
  const { code, text } = fieldsOf(error);
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || /SQLITE_BUSY|database is locked/.test(text);
}

/** PostgreSQL: the transaction lost a deadlock or a serialization check and may simply be run again. */
export function isRetryableConflict(error: unknown): boolean {
  const { code } = fieldsOf(error);
  return code === "40P01" || code === "40001";
}

/** PostgreSQL: a row lock was not granted within lock_timeout. */
export function isLockTimeout(error: unknown): boolean {
  return fieldsOf(error).code === "55P03";
}

export function serviceUnavailable(): GraphQLError {
  return new GraphQLError("the database is unavailable; retry shortly", {
    extensions: { code: "SERVICE_UNAVAILABLE", http: { status: 503, headers: new Map([["retry-after", "1"]]) } },
  });
}

/** Lets deliberate errors through; turns a lost database into SERVICE_UNAVAILABLE (503). */
export function asServiceError(error: unknown): unknown {
  return classifyDriverError(error) === "unavailable" ? serviceUnavailable() : error;
}

/**
 * Where a database URL points, for messages: host, port and database name, never the user or
 * password.
 */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.type === "sqlite") return `SQLite file ${database.path}`;
  try {
    const url = new URL(database.url);
    return `PostgreSQL at ${url.hostname || "localhost"}:${url.port || "5432"}${url.pathname || "/"}`;
  } catch {
    return "PostgreSQL (unparseable DATABASE_URL)";
  }
}

/**
 * The one line start-up prints when the database cannot be opened: where it tried (no
 * credentials) and the driver's short reason, instead of a stack trace.
 */
export function startupFailureLine(database: DatabaseConfig, error: unknown): string {
  const reason = [...chain(error)].map((e) => codeOf(e) ?? "").find(Boolean) || (error instanceof Error ? error.message : String(error));
  const why = classifyDriverError(error) === "unavailable" ? "cannot reach the database" : "cannot open the database";
  return `failed to start: ${why}: ${describeDatabase(database)} (${String(reason).split("\n")[0]})`;
}
