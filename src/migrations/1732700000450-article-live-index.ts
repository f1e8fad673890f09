import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The sitemap index counts live articles per month and takes each month's newest change. Through
 * ix_articles_published that reads every article row (deleted_at and updated_at live there, behind
 * the body), which took most of a second at 20,000 articles; this partial index holds exactly the
 * live articles with the two dates, so the count reads the index alone. The predicate is the
 * anonymous visibility rule's (src/loaders/visibility.ts) minus the moving `published_at <= now`.
 */
export class ArticleLiveIndex1732700000450 implements MigrationInterface {
  name = "ArticleLiveIndex1732700000450";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_articles_live" ON "articles" ("published_at", "updated_at") WHERE "status" = 'published' AND "deleted_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_articles_live"`);
  }
}
