import type { ReadDatabase } from "../db/read-database";
import type { Viewer } from "../viewer";

/** What every read of one request shares: the database, who asks, and one instant for the whole request. */
export interface ReadContext {
  db: ReadDatabase;
  viewer: Viewer;
  now: Date;
}
