import type { DataSource } from "typeorm";
import type { KeyRecorder } from "../cache/cache-keys";
import type { ReadDatabase } from "../db/read-database";
import type { Viewer } from "../viewer";
import type { ArticleSelection } from "./article-selection";

/** What every read of one request shares: the database, who asks, and one instant for the whole request. */
export interface ReadContext {
  db: ReadDatabase;
  /**
   * TypeORM on the read connection, for the few ADMIN views that read whole entities (webhook
   * logs); every page read goes through `db`.
   */
  entities?: DataSource;
  viewer: Viewer;
  now: Date;
  /**
   * What the query's fields need of an article row, per loader; set once the operation is
   * known (see articleSelectionPlugin); absent (reads outside GraphQL) means everything.
   */
  selection?: ArticleSelection;
  /** Where the loaders note the cache keys of what they read (anonymous requests); see src/cache/cache-keys.ts. */
  keys?: KeyRecorder;
}
