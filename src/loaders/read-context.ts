import type { DataSource } from "typeorm";
import type { Viewer } from "../viewer";

/** What every read of one request shares: the database, who asks, and one instant for the whole request. */
export interface ReadContext {
  dataSource: DataSource;
  viewer: Viewer;
  now: Date;
}
