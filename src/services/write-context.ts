import type { DataSource } from "typeorm";
import type { StatementTally } from "../db/request-scope";
import type { Viewer } from "../viewer";

/** What a write needs from its request: the database, who writes, and the request's instant. */
export interface WriteContext {
  writer: DataSource;
  viewer: Viewer;
  now: Date;
  /** The request its statements are charged to (x-sql-statements); none outside HTTP. */
  request?: StatementTally;
}
