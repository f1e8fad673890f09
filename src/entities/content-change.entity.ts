import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/**
 * One committed write's cache keys, for the other processes on the same SQLite file
 * (src/cache/change-feed.ts; table from ContentChanges1732700000610). Internal: no GraphQL
 * type. SQLite only (PostgreSQL uses LISTEN/NOTIFY), so createDataSource registers it on
 * SQLite only; written and read with SQL, never through a repository.
 */
@Entity({ name: "content_changes" })
export class ContentChange {
  @PrimaryGeneratedColumn()
  id: number;

  /** The writing process, so a server skips its own changes. */
  @Column({ type: "varchar", length: 64 })
  source: string;

  /** The surrogate keys, as JSON text. */
  @Column({ type: "text" })
  keys: string;

  @Column({ name: "created_at", type: Date })
  createdAt: Date;
}
