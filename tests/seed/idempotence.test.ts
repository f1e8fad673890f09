import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DataSource } from "typeorm";
import { runSeed, runSeedReport, samplePage, tempDbFile, tempDir, withDatabase, writePage } from "../support/seed-cli";

/** Everything the importer writes, so a re-run can be compared row by row. */
async function snapshot(ds: DataSource) {
  return {
    articles: await ds.query(`SELECT * FROM articles ORDER BY id`),
    authors: await ds.query(`SELECT * FROM authors ORDER BY id`),
    tags: await ds.query(`SELECT * FROM tags ORDER BY id`),
    articleTags: await ds.query(`SELECT * FROM article_tags ORDER BY article_id, position`),
    related: await ds.query(`SELECT * FROM article_related ORDER BY article_id, position`),
  };
}

function writeFolder(dir: string) {
  writePage(dir, "one.txt", samplePage({ title: "Satu", related: [{ title: "Dua", date: "Kamis, 14 Sep 2023 10:00 WIB" }] }), { tags: ["Politik", "Ekonomi"] });
  writePage(dir, "two.txt", samplePage({ title: "Dua", date: "Kamis, 14 Sep 2023 10:00 WIB" }), { tags: ["Politik"], status: "draft" });
  writePage(dir, "three.txt", samplePage({ title: "Tiga", author: "Dewi Lestari" }));
}

describe("seed command: idempotence and --dry-run", () => {
  test("a second run creates and changes nothing, and says so", async () => {
    const dir = tempDir("idem");
    writeFolder(dir);
    const dbFile = tempDbFile("idem");
    const first = await runSeedReport(dbFile, [dir]);
    assert.deepEqual([first.report.created, first.report.updated, first.report.unchanged], [3, 0, 0]);
    const before = await withDatabase(dbFile, snapshot);
    assert.equal(before.related.length, 1);

    const second = await runSeed(dbFile, [dir]);
    assert.equal(second.status, 0);
    assert.match(second.stdout, /^created 0, updated 0, unchanged 3, failed 0 \(3 pages read\)$/m);
    assert.match(second.stdout, /^nothing to change$/m);
    const after = await withDatabase(dbFile, snapshot);
    assert.deepEqual(after, before, "no row, not even updated_at, moved");
  });

  test("a changed page or sidecar updates its article and only that one", async () => {
    const dir = tempDir("idem-change");
    writeFolder(dir);
    const dbFile = tempDbFile("idem-change");
    await runSeedReport(dbFile, [dir]);
    const before = await withDatabase(dbFile, snapshot);

    writePage(dir, "three.txt", samplePage({ title: "Tiga", author: "Dewi Lestari", extraParagraph: "Paragraf tambahan di akhir." }));
    writePage(dir, "two.txt", samplePage({ title: "Dua", date: "Kamis, 14 Sep 2023 10:00 WIB" }), { tags: ["Ekonomi", "Politik"], status: "published" });
    const run = await runSeedReport(dbFile, [dir]);
    assert.equal(run.status, 0);
    assert.deepEqual([run.report.created, run.report.updated, run.report.unchanged], [0, 2, 1]);

    const after = await withDatabase(dbFile, snapshot);
    const bySlug = (rows: any[]) => Object.fromEntries(rows.map((r) => [r.slug, r]));
    const [old, now] = [bySlug(before.articles), bySlug(after.articles)];
    assert.deepEqual(now.satu, old.satu, "untouched article is byte for byte the same");
    assert.ok(now.tiga.body.endsWith("\n\nParagraf tambahan di akhir."));
    assert.equal(now.tiga.word_count, old.tiga.word_count + 4);
    assert.ok(now.tiga.updated_at > old.tiga.updated_at, "updated_at moves on a change");
    assert.equal(now.tiga.id, old.tiga.id, "matched by slug, not re-created");
    assert.equal(now.dua.status, "published");
    const duaTags = after.articleTags.filter((t: any) => t.article_id === now.dua.id).map((t: any) => after.tags.find((g: any) => g.id === t.tag_id).slug);
    assert.deepEqual(duaTags, ["ekonomi", "politik"], "tag order follows the sidecar");
    assert.equal(after.authors.length, before.authors.length);
  });

  test("--dry-run reports what would happen and writes nothing", async () => {
    const dir = tempDir("dry");
    writeFolder(dir);
    const dbFile = tempDbFile("dry");
    const dry = await runSeed(dbFile, ["--dry-run", dir]);
    assert.equal(dry.status, 0);
    assert.match(dry.stdout, /^dry run, nothing written; would have created 3, updated 0, unchanged 0, failed 0/m);
    const empty = await withDatabase(dbFile, snapshot);
    for (const rows of Object.values(empty)) assert.equal(rows.length, 0);
    const dryReport = await runSeedReport(dbFile, ["--dry-run", dir]);
    const unresolvedTitles = dryReport.report.unresolvedRelated.map((u) => u.title);
    assert.ok(unresolvedTitles.length > 0 && !unresolvedTitles.includes("Dua"), "pages of the same dry run resolve each other");

    await runSeedReport(dbFile, [dir]);
    const loaded = await withDatabase(dbFile, snapshot);
    writePage(dir, "three.txt", samplePage({ title: "Tiga", author: "Budi Santoso" }));
    const dryChange = await runSeedReport(dbFile, ["--dry-run", dir]);
    assert.equal(dryChange.report.dryRun, true);
    assert.deepEqual([dryChange.report.created, dryChange.report.updated, dryChange.report.unchanged], [0, 1, 2]);
    assert.deepEqual(await withDatabase(dbFile, snapshot), loaded);
  });
});
