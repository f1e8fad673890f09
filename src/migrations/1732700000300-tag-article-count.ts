import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Related articles weigh each shared tag by how many articles carry it. Counting that on
 * every article page read a popular tag's whole index range (tens of thousands of entries
 * at 100,000 articles, the largest cost of the page); a count kept on the tag by triggers
 * makes it one primary-key lookup. It counts every article carrying the tag, whatever its
 * state: it is a weight, not something shown to readers (Tag.articleCount applies visibility).
 */
export class TagArticleCount1732700000300 implements MigrationInterface {
  name = "TagArticleCount1732700000300";

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(`ALTER TABLE "tags" ADD COLUMN "tagged_count" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`UPDATE "tags" SET "tagged_count" = (SELECT COUNT(*) FROM "article_tags" at WHERE at.tag_id = "tags"."id")`);
    if (pg) {
      await queryRunner.query(`CREATE FUNCTION tags_tagged_count() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN UPDATE tags SET tagged_count = tagged_count + 1 WHERE id = NEW.tag_id; RETURN NEW; END IF;
          UPDATE tags SET tagged_count = tagged_count - 1 WHERE id = OLD.tag_id; RETURN OLD;
        END $$ LANGUAGE plpgsql`);
      await queryRunner.query(`CREATE TRIGGER trg_article_tags_count AFTER INSERT OR DELETE ON article_tags FOR EACH ROW EXECUTE FUNCTION tags_tagged_count()`);
      return;
    }
    await queryRunner.query(`CREATE TRIGGER "trg_article_tags_count_insert" AFTER INSERT ON "article_tags"
      BEGIN UPDATE "tags" SET "tagged_count" = "tagged_count" + 1 WHERE "id" = NEW.tag_id; END`);
    await queryRunner.query(`CREATE TRIGGER "trg_article_tags_count_delete" AFTER DELETE ON "article_tags"
      BEGIN UPDATE "tags" SET "tagged_count" = "tagged_count" - 1 WHERE "id" = OLD.tag_id; END`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "postgres") {
      await queryRunner.query(`DROP TRIGGER trg_article_tags_count ON article_tags`);
      await queryRunner.query(`DROP FUNCTION tags_tagged_count`);
    } else {
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_count_insert"`);
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_count_delete"`);
    }
    await queryRunner.query(`ALTER TABLE "tags" DROP COLUMN "tagged_count"`);
  }
}
