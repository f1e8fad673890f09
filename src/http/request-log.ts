import type { ApolloServerPlugin } from "@apollo/server";
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config";
import { currentRequestScope, type RequestScope } from "../db/request-scope";

export type { Logger };

/** JSON lines on stdout (or the given stream). Only fields we choose are logged: never headers,
 * tokens, documents or variables, which is where secrets and personal data would travel. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, timestamp: pino.stdTimeFunctions.isoTime, base: undefined }, destination);
}

/** Records what the HTTP layer cannot see itself: the operation name and the error codes sent. */
export function requestLogPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const scope = currentRequestScope();
      if (scope) scope.operationName = request.operationName ?? null;
      return {
        async didResolveOperation({ operationName }) {
          if (scope && operationName) scope.operationName = operationName;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : response.body.initialResult.errors;
          if (scope && errors?.length) scope.errorCodes = errors.map((e) => (typeof e.extensions?.code === "string" ? e.extensions.code : "UNKNOWN"));
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
