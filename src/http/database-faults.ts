import type { ApolloServerPlugin } from "@apollo/server";
import { classifyDriverError } from "../db/driver-errors";

/**
 * A GraphQL response whose errors include a lost database connection gets HTTP 503 and
 * `Retry-After`, so load balancers and clients retry instead of treating it as a bug (500) or
 * a success (200). formatError gives those errors the code SERVICE_UNAVAILABLE.
 */
export function databaseFaultPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, errors }) {
          if (!errors?.some((error) => classifyDriverError(error) === "unavailable")) return;
          response.http.status = 503;
          response.http.headers.set("retry-after", "1");
          response.http.headers.set("cache-control", "no-store");
        },
      };
    },
  };
}
