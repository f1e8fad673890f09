import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import type { StatementTally } from "../db/request-scope";
import { unauthenticated } from "../errors";
import { authenticateSecret } from "../services/token.service";
import { anonymous, type Viewer } from "../viewer";

/**
 * The viewer of a request from its Authorization header. No header means a public reader;
 * anything else must be a valid `Bearer nrt_...` token, because a client that sends a
 * broken token expects to be told, not silently served the public view.
 */
export function createAuthenticator(dataSource: DataSource, clock: Clock) {
  return async function authenticate(authorization: string | undefined, request?: StatementTally): Promise<Viewer> {
    if (authorization === undefined || authorization.trim() === "") return anonymous;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    return authenticateSecret(dataSource, match[1], clock.now(), request);
  };
}
