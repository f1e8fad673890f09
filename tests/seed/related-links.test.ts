import { describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { DataSource } from "typeorm";
import { startTestServer } from "../support/server";
import { runSeedReport, samplePage, tempDbFile, tempDir, withDatabase, writePage } from "../support/seed-cli";

const A = { title: "Harga cabai di Ambon naik dua kali lipat", date: "Senin, 05 Feb 2024 10:30 WIT", slug: "harga-cabai-di-ambon-naik-dua-kali-lipat" };
const B = { title: "Pedagang pasar Mardika keluhkan pasokan cabai", date: "Selasa, 06 Feb 2024 09:00 WIT", slug: "pedagang-pasar-mardika-keluhkan-pasokan-cabai" };
const C = { title: "Pemprov Maluku gelar operasi pasar", date: "Rabu, 07 Feb 2024 14:00 WIB", slug: "pemprov-maluku-gelar-operasi-pasar" };
const MISSING = { title: "Artikel yang tidak pernah dimuat", date: "Kamis, 01 Feb 2024 08:00 WIB" };

/** a.txt names C, then B (twice), then one that does not exist; b.txt names A; c.txt names nothing. */
function writePages(dir: string) {
  const a = writePage(dir, "a.txt", samplePage({ title: A.title, date: A.date, related: [C, B, B, MISSING] }));
  // Letter case and spacing in a listed title do not stop the match.
  const b = writePage(dir, "b.txt", samplePage({ title: B.title, date: B.date, related: [{ title: `  ${A.title.toUpperCase()} `, date: A.date }] }));
  const c = writePage(dir, "c.txt", samplePage({ title: C.title, date: C.date, related: [] }));
  return { a, b, c };
}

async function picks(ds: DataSource): Promise<Record<string, string[]>> {
  const rows: { source: string; target: string }[] = await ds.query(
    `SELECT s.slug AS source, t.slug AS target FROM article_related r
       JOIN articles s ON s.id = r.article_id JOIN articles t ON t.id = r.related_id
      ORDER BY s.slug, r.position`,
  );
  const result: Record<string, string[]> = {};
  for (const row of rows) (result[row.source] ??= []).push(row.target);
  return result;
}

const EXPECTED = { [A.slug]: [C.slug, B.slug], [B.slug]: [A.slug] };

describe("seed command: Berita Lainnya becomes editor picks", () => {
  for (const order of ["a, b, c", "c, b, a"]) {
    test(`pages that name each other are linked in one run, files in order ${order}`, async () => {
      const dir = tempDir("related");
      const files = writePages(dir);
      const dbFile = tempDbFile("related");
      const args = order === "a, b, c" ? [files.a, files.b, files.c] : [files.c, files.b, files.a];
      const run = await runSeedReport(dbFile, args);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.report.created, 3);
      assert.deepEqual(
        run.report.unresolvedRelated.map((u) => [path.basename(u.path), u.title, u.date]),
        [["a.txt", MISSING.title, MISSING.date]],
      );
      await withDatabase(dbFile, async (ds) => assert.deepEqual(await picks(ds), EXPECTED));

      const again = await runSeedReport(dbFile, args);
      assert.deepEqual([again.report.created, again.report.updated, again.report.unchanged], [0, 0, 3], "equal picks are not a change");
    });
  }

  test("pages loaded in separate runs link up without loading the referring page again", async () => {
    const dir = tempDir("related-runs");
    const files = writePages(dir);
    const dbFile = tempDbFile("related-runs");

    const first = await runSeedReport(dbFile, [files.b]);
    assert.deepEqual(first.report.unresolvedRelated.map((u) => u.title), [`${A.title.toUpperCase()}`]);
    assert.deepEqual(first.report.resolvedEarlier, []);
    const [{ updated_at: before }] = await withDatabase(dbFile, (ds) => ds.query(`SELECT updated_at FROM articles WHERE slug = '${B.slug}'`));

    const second = await runSeedReport(dbFile, [files.a, files.c]);
    assert.deepEqual(second.report.unresolvedRelated.map((u) => u.title), [MISSING.title], "B, loaded earlier, resolves");
    assert.deepEqual(
      second.report.resolvedEarlier.map((r) => [r.source, r.title, r.date, path.basename(r.path)]),
      [[B.slug, A.title.toUpperCase(), A.date, "a.txt"]],
      "B's entry for A, kept from the first run, is linked when A arrives",
    );
    await withDatabase(dbFile, async (ds) => {
      assert.deepEqual(await picks(ds), EXPECTED);
      const [{ updated_at: after }] = await ds.query(`SELECT updated_at FROM articles WHERE slug = '${B.slug}'`);
      assert.notEqual(after, before, "a changed related list moves updatedAt for clients that sync");
      const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM article_pending_links`);
      assert.equal(Number(n), 1, "only the entry naming an article never loaded is still waiting");
    });

    const third = await runSeedReport(dbFile, [dir]);
    assert.equal(third.status, 0);
    assert.deepEqual([third.report.created, third.report.updated, third.report.unchanged], [0, 0, 3], "nothing left to link");
    assert.deepEqual(third.report.resolvedEarlier, []);
    await withDatabase(dbFile, async (ds) => assert.deepEqual(await picks(ds), EXPECTED));

    const server = await startTestServer({ dbFile });
    try {
      for (const [slug, expected] of Object.entries(EXPECTED)) {
        const res = await server.gql(`query ($slug: String!) { article(slug: $slug) { related(first: 5) { reason article { slug } } } }`, { slug });
        assert.deepEqual(
          res.body.data.article.related.filter((r: { reason: string }) => r.reason === "EDITOR_PICK").map((r: { article: { slug: string } }) => r.article.slug),
          expected,
        );
      }
    } finally {
      await server.close();
    }
  });

  test("a page whose list changes gets exactly the new list", async () => {
    const dir = tempDir("related-change");
    const files = writePages(dir);
    const dbFile = tempDbFile("related-change");
    await runSeedReport(dbFile, [dir]);
    writePage(dir, "a.txt", samplePage({ title: A.title, date: A.date, related: [B] }));
    const run = await runSeedReport(dbFile, [files.a]);
    assert.deepEqual([run.report.created, run.report.updated, run.report.unchanged], [0, 1, 0]);
    await withDatabase(dbFile, async (ds) => assert.deepEqual(await picks(ds), { [A.slug]: [B.slug], [B.slug]: [A.slug] }));
  });
});
