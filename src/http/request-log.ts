import type { ApolloServerPlugin } from "@apollo/server";
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config";
import type { RequestScope } from "../db/request-scope";
import type { GraphQLContext } from "../graphql/context";
import { noteErrorRequest } from "./format-error";

export type { Logger };

/** JSON lines on stdout (or the given stream). Only fields we choose are logged: never headers,
 * tokens, documents or variables, which is where secrets and personal data would travel. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, timestamp: pino.stdTimeFunctions.isoTime, base: undefined }, destination);
}

/**
 * Records what the HTTP layer cannot see itself: the operation name and the error codes sent;
 * and tells formatError which request each error arose in.
 */
export function requestLogPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const scope = contextValue.request;
      scope.operationName = request.operationName ?? null;
      return {
        async didResolveOperation({ operationName }) {
          if (operationName) scope.operationName = operationName;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) noteErrorRequest(error, scope);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : response.body.initialResult.errors;
          if (errors?.length) scope.errorCodes = errors.map((e) => (typeof e.extensions?.code === "string" ? e.extensions.code : "UNKNOWN"));
        },
      };
    },
  };
}

export function logRequest(logger: Logger, scope: RequestScope, request: { method: string; path: string; status: number; startedAt: number; cache?: string | null }) {
  logger.info(
    {
      requestId: scope.requestId,
      method: request.method,
      path: request.path,
      operationName: scope.operationName ?? null,
      status: request.status,
      durationMs: Math.round((performance.now() - request.startedAt) * 10) / 10,
      statements: scope.statements,
      cache: request.cache ?? null,
      viewer: scope.viewerKind ?? "anonymous",
      ...(scope.errorCodes ? { errorCodes: scope.errorCodes } : {}),
    },
    "request",
  );
}
