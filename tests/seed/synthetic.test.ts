import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { countWords } from "../../src/lib/text";
import { toDate } from "../../src/db/dialect";
import { runSeed, tempDbFile, withDatabase } from "../support/seed-cli";

describe("seed command: --synthetic", () => {
  const dbFile = tempDbFile("synthetic");

  test("--synthetic 2000 creates 2000 realistic articles quickly and prints the rate", async () => {
    const started = Date.now();
    const run = await runSeed(dbFile, ["--synthetic", "2000", "--authors", "50", "--tags", "200", "--seed", "7"]);
    const elapsedMs = Date.now() - started;
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^created 2000 synthetic articles \(50 authors, 200 tags\) in [\d.]+ s: \d+ articles\/s/m);
    // Generous bound for a loaded CI machine; the command itself reports the real rate.
    assert.ok(elapsedMs < 20_000, `took ${elapsedMs} ms`);

    await withDatabase(dbFile, async (ds) => {
      const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM articles`);
      assert.equal(Number(n), 2000);
      const [{ authors, tags }] = await ds.query(`SELECT (SELECT COUNT(*) FROM authors) AS authors, (SELECT COUNT(*) FROM tags) AS tags`);
      assert.deepEqual([Number(authors), Number(tags)], [50, 200]);

      const perArticle = await ds.query(`SELECT article_id, COUNT(*) AS n FROM article_tags GROUP BY article_id`);
      assert.equal(perArticle.length, 2000);
      assert.ok(perArticle.every((r: any) => r.n >= 2 && r.n <= 5));

      // A few popular tags and a long tail.
      const usage = (await ds.query(`SELECT COUNT(*) AS n FROM article_tags GROUP BY tag_id ORDER BY n DESC`)).map((r: any) => Number(r.n));
      const total = usage.reduce((a: number, b: number) => a + b, 0);
      assert.ok(usage.slice(0, 5).reduce((a: number, b: number) => a + b, 0) > total * 0.25, "top 5 tags carry over a quarter of the uses");
      assert.ok(usage[usage.length - 1] < usage[0] / 20, "the tail is far below the head");

      const zones = (await ds.query(`SELECT DISTINCT time_zone FROM articles ORDER BY 1`)).map((r: any) => r.time_zone);
      assert.deepEqual(zones, ["Asia/Jakarta", "Asia/Jayapura", "Asia/Makassar"]);
      const [{ drafts }] = await ds.query(`SELECT COUNT(*) AS drafts FROM articles WHERE status = 'draft'`);
      assert.ok(drafts > 10 && drafts < 200, `a few percent drafts, got ${drafts}`);

      const [{ oldest, newest }] = await ds.query(`SELECT MIN(published_at) AS oldest, MAX(published_at) AS newest FROM articles`);
      const spanDays = (toDate(newest)!.getTime() - toDate(oldest)!.getTime()) / 86_400_000;
      assert.ok(spanDays > 900 && spanDays <= 1096, `dates spread over about three years, got ${spanDays} days`);

      const sample = await ds.query(`SELECT title, lead, body, word_count FROM articles ORDER BY id LIMIT 200`);
      for (const a of sample) {
        const titleWords = countWords(a.title);
        assert.ok(titleWords >= 6 && titleWords <= 14, `title of ${titleWords} words`);
        const leadWords = countWords(a.lead);
        assert.ok(leadWords >= 20 && leadWords <= 40, `lead of ${leadWords} words`);
        const paragraphs = a.body.split("\n\n");
        assert.ok(paragraphs.length >= 6 && paragraphs.length <= 20);
        for (const p of paragraphs) {
          const words = countWords(p);
          assert.ok(words >= 30 && words <= 90, `paragraph of ${words} words`);
        }
        assert.equal(a.word_count, countWords(a.body));
      }
    });
  });

  test("the same seed gives the same content", async () => {
    const other = tempDbFile("synthetic-again");
    const run = await runSeed(other, ["--synthetic", "50", "--authors", "50", "--tags", "200", "--seed", "7"]);
    assert.equal(run.status, 0, run.stderr);
    const content = (file: string) => withDatabase(file, (ds) => ds.query(`SELECT title, lead, body, time_zone, status FROM articles ORDER BY id LIMIT 50`));
    assert.deepEqual(await content(other), await content(dbFile));
  });
});
