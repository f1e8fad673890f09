import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Tag pages are the slowest public read: "newest live articles carrying tag T" had to either
 * walk every published article checking membership (slow for rare tags) or every article of
 * the tag sorting by date (slow for popular ones). Copying the article's publication instant
 * onto its tag rows, NULL when the article is not published or is deleted, gives an index
 * (tag, live_at) that answers the page, the count and the related-articles pool directly.
 * Triggers keep the copy exact, whoever writes (services, importer, SQL by hand).
 */
export class ArticleTagsLiveAt1732700000050 implements MigrationInterface {
  name = "ArticleTagsLiveAt1732700000050";

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    const liveOf = (a: string) => `CASE WHEN ${a}.status = 'published' AND ${a}.deleted_at IS NULL THEN ${a}.published_at END`;
    await queryRunner.query(`ALTER TABLE "article_tags" ADD COLUMN "live_at" ${pg ? "timestamptz" : "datetime"}`);
    await queryRunner.query(`UPDATE "article_tags" SET "live_at" = (SELECT ${liveOf("a")} FROM "articles" a WHERE a.id = "article_tags"."article_id")`);
    await queryRunner.query(`CREATE INDEX "ix_article_tags_tag_live" ON "article_tags" ("tag_id", "live_at", "article_id")`);

    if (pg) {
      await queryRunner.query(`CREATE FUNCTION article_tags_live_from_article() RETURNS trigger AS $$
        BEGIN
          UPDATE article_tags SET live_at = ${liveOf("NEW")} WHERE article_id = NEW.id;
          RETURN NEW;
        END $$ LANGUAGE plpgsql`);
      await queryRunner.query(`CREATE TRIGGER trg_articles_live AFTER UPDATE OF status, published_at, deleted_at ON articles
        FOR EACH ROW EXECUTE FUNCTION article_tags_live_from_article()`);
      await queryRunner.query(`CREATE FUNCTION article_tags_live_on_insert() RETURNS trigger AS $$
        BEGIN
          IF NEW.live_at IS NOT NULL THEN RETURN NEW; END IF;
          NEW.live_at := (SELECT ${liveOf("a")} FROM articles a WHERE a.id = NEW.article_id);
          RETURN NEW;
        END $$ LANGUAGE plpgsql`);
      await queryRunner.query(`CREATE TRIGGER trg_article_tags_live BEFORE INSERT ON article_tags
        FOR EACH ROW EXECUTE FUNCTION article_tags_live_on_insert()`);
      return;
    }
    await queryRunner.query(`CREATE TRIGGER "trg_articles_live" AFTER UPDATE OF status, published_at, deleted_at ON "articles"
      BEGIN
        UPDATE "article_tags" SET "live_at" = ${liveOf("NEW")} WHERE "article_id" = NEW.id;
      END`);
    // Bulk loaders that already know the value pass it; the trigger fills only a missing one.
    await queryRunner.query(`CREATE TRIGGER "trg_article_tags_live" AFTER INSERT ON "article_tags" WHEN NEW.live_at IS NULL
      BEGIN
        UPDATE "article_tags" SET "live_at" = (SELECT ${liveOf("a")} FROM "articles" a WHERE a.id = NEW.article_id)
        WHERE "article_id" = NEW.article_id AND "tag_id" = NEW.tag_id;
      END`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    if (pg) {
      await queryRunner.query(`DROP TRIGGER trg_article_tags_live ON article_tags`);
      await queryRunner.query(`DROP TRIGGER trg_articles_live ON articles`);
      await queryRunner.query(`DROP FUNCTION article_tags_live_on_insert`);
      await queryRunner.query(`DROP FUNCTION article_tags_live_from_article`);
    } else {
      await queryRunner.query(`DROP TRIGGER "trg_article_tags_live"`);
      await queryRunner.query(`DROP TRIGGER "trg_articles_live"`);
    }
    await queryRunner.query(`DROP INDEX "ix_article_tags_tag_live"`);
    await queryRunner.query(`ALTER TABLE "article_tags" DROP COLUMN "live_at"`);
  }
}
