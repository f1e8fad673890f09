import type { DataSource } from "typeorm";
import type { KeyRecorder } from "../cache/cache-keys";
import type { Viewer } from "../viewer";

/** What every read of one request shares: the database, who asks, and one instant for the whole request. */
export interface ReadContext {
  dataSource: DataSource;
  viewer: Viewer;
  now: Date;
  /** Where the loaders note the cache keys of what they read (anonymous requests); see src/cache/cache-keys.ts. */
  keys?: KeyRecorder;
}
