import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Related articles weigh a shared tag by how many articles carry it, and the weight shows in
 * `related { score }`. `tagged_count` counted drafts, scheduled and deleted articles too, so an
 * anonymous reader saw a score move when an editor saved a draft. `live_count` counts the tag's
 * rows with a `live_at` (published, not deleted); rows whose instant has not come yet (scheduled)
 * are subtracted at read time from the (tag_id, live_at) index, since "live" depends on the
 * request's now (see liveTagCountSql in loaders/visibility.ts). Triggers keep it exact.
 */
export class TagLiveCount1732700000400 implements MigrationInterface {
  name = "TagLiveCount1732700000400";

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(`ALTER TABLE "tags" ADD COLUMN "live_count" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`UPDATE "tags" SET "live_count" = (SELECT COUNT(*) FROM "article_tags" at WHERE at.tag_id = "tags"."id" AND at.live_at IS NOT NULL)`);
    // Only a change between "has a live_at" and "has none" (or a moved row) changes the count;
    // re-saving a live article rewrites live_at with the same state and must not churn tags.
    const changed = `(OLD.live_at IS NULL) <> (NEW.live_at IS NULL) OR OLD.tag_id <> NEW.tag_id`;
    if (pg) {
      await queryRunner.query(`DROP TRIGGER trg_article_tags_count ON article_tags`);
      await queryRunner.query(`DROP FUNCTION tags_tagged_count`);
      await queryRunner.query(`CREATE FUNCTION tags_live_count() RETURNS trigger AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            IF OLD.live_at IS NOT NULL THEN UPDATE tags SET live_count = live_count - 1 WHERE id = OLD.tag_id; END IF;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            IF NEW.live_at IS NOT NULL THEN UPDATE tags SET live_count = live_count + 1 WHERE id = NEW.tag_id; END IF;
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql`);
      await queryRunner.query(`CREATE TRIGGER trg_article_tags_live_count AFTER INSERT OR DELETE ON article_tags
        FOR EACH ROW EXECUTE FUNCTION tags_live_count()`);
      await queryRunner.query(`CREATE TRIGGER trg_article_tags_live_count_update AFTER UPDATE OF live_at, tag_id ON article_tags
        FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION tags_live_count()`);
    } else {
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_count_insert"`);
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_count_delete"`);
      // live_at of a new row is filled by trg_article_tags_live with an UPDATE, which the update trigger counts.
      await queryRunner.query(`CREATE TRIGGER "trg_article_tags_live_count_insert" AFTER INSERT ON "article_tags" WHEN NEW.live_at IS NOT NULL
        BEGIN UPDATE "tags" SET "live_count" = "live_count" + 1 WHERE "id" = NEW.tag_id; END`);
      await queryRunner.query(`CREATE TRIGGER "trg_article_tags_live_count_update" AFTER UPDATE OF "live_at", "tag_id" ON "article_tags" WHEN ${changed}
        BEGIN
          UPDATE "tags" SET "live_count" = "live_count" - 1 WHERE "id" = OLD.tag_id AND OLD.live_at IS NOT NULL;
          UPDATE "tags" SET "live_count" = "live_count" + 1 WHERE "id" = NEW.tag_id AND NEW.live_at IS NOT NULL;
        END`);
      await queryRunner.query(`CREATE TRIGGER "trg_article_tags_live_count_delete" AFTER DELETE ON "article_tags" WHEN OLD.live_at IS NOT NULL
        BEGIN UPDATE "tags" SET "live_count" = "live_count" - 1 WHERE "id" = OLD.tag_id; END`);
    }
    // Nothing reads it any more; a count of non-public articles is what leaked.
    await queryRunner.query(`ALTER TABLE "tags" DROP COLUMN "tagged_count"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(`ALTER TABLE "tags" ADD COLUMN "tagged_count" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`UPDATE "tags" SET "tagged_count" = (SELECT COUNT(*) FROM "article_tags" at WHERE at.tag_id = "tags"."id")`);
    if (pg) {
      await queryRunner.query(`DROP TRIGGER trg_article_tags_live_count_update ON article_tags`);
      await queryRunner.query(`DROP TRIGGER trg_article_tags_live_count ON article_tags`);
      await queryRunner.query(`DROP FUNCTION tags_live_count`);
      await queryRunner.query(`CREATE FUNCTION tags_tagged_count() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN UPDATE tags SET tagged_count = tagged_count + 1 WHERE id = NEW.tag_id; RETURN NEW; END IF;
          UPDATE tags SET tagged_count = tagged_count - 1 WHERE id = OLD.tag_id; RETURN OLD;
        END $$ LANGUAGE plpgsql`);
      await queryRunner.query(`CREATE TRIGGER trg_article_tags_count AFTER INSERT OR DELETE ON article_tags FOR EACH ROW EXECUTE FUNCTION tags_tagged_count()`);
    } else {
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_live_count_insert"`);
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_live_count_update"`);
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_live_count_delete"`);
      await queryRunner.query(`CREATE TRIGGER "trg_article_tags_count_insert" AFTER INSERT ON "article_tags"
        BEGIN UPDATE "tags" SET "tagged_count" = "tagged_count" + 1 WHERE "id" = NEW.tag_id; END`);
      await queryRunner.query(`CREATE TRIGGER "trg_article_tags_count_delete" AFTER DELETE ON "article_tags"
        BEGIN UPDATE "tags" SET "tagged_count" = "tagged_count" - 1 WHERE "id" = OLD.tag_id; END`);
    }
    await queryRunner.query(`ALTER TABLE "tags" DROP COLUMN "live_count"`);
  }
}
