import type { DataSource } from "typeorm";
import type { ResponseCacheState } from "../cache/response-cache.plugin";
import type { AppConfig } from "../config";
import type { RequestScope } from "../db/request-scope";
import type { Loaders } from "../loaders";
import type { ReadContext } from "../loaders/read-context";
import type { Viewer } from "../viewer";

/** What every resolver receives: who asks, the request's loaders, and its fixed instant. */
export interface GraphQLContext {
  /** The HTTP request's bookkeeping: its id, and the statements and errors charged to it. */
  request: RequestScope;
  viewer: Viewer;
  loaders: Loaders;
  /** What the loaders were created with; the selection plugin fills in what the query needs. */
  reads: ReadContext;
  now: Date;
  /** The database writes go to; reads go through `loaders` (the read database). */
  writer: DataSource;
  /** Server settings resolvers need (e.g. search highlight markers). */
  config: AppConfig;
  /** This request's response-cache outcome and the keys its loaders read. */
  cache: ResponseCacheState;
}
