import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runSeedReport, samplePage, tempDbFile, tempDir, withDatabase, writePage } from "../support/seed-cli";

describe("seed command: sidecars and the folder manifest", () => {
  test("_manifest.json gives fields per page; a page's own sidecar wins field by field", async () => {
    const dir = tempDir("manifest");
    writePage(dir, "from-manifest.txt", samplePage({ title: "Dari manifes" }));
    writePage(dir, "both.txt", samplePage({ title: "Dua sumber" }), { tags: ["Dari Sidecar"], featuredImageCaption: "Keterangan foto sendiri" });
    fs.writeFileSync(
      path.join(dir, "_manifest.json"),
      JSON.stringify({
        "from-manifest.txt": { tags: ["Manifes", "Politik"], status: "draft", slug: "slug-dari-manifes", featuredImageUrl: "https://cdn.example.id/a.jpg" },
        both: { tags: ["Dari Manifes"], featuredImageUrl: "https://cdn.example.id/b.jpg", colour: "red" },
      }, null, 2),
    );
    const dbFile = tempDbFile("manifest");
    const run = await runSeedReport(dbFile, [dir]);
    assert.equal(run.status, 0, JSON.stringify(run.report.failed));
    assert.equal(run.report.created, 2);
    assert.deepEqual(
      run.report.warnings.filter((w) => w.message.includes("colour")).map((w) => [path.basename(w.path), w.line]),
      [["_manifest.json", 16]],
      "unknown fields are pointed at, not silently dropped",
    );

    await withDatabase(dbFile, async (ds) => {
      const rows = await ds.query(`SELECT a.id, a.slug, a.status, a.featured_image_url AS url, a.featured_image_caption AS caption FROM articles a ORDER BY a.slug`);
      const tagRows = await ds.query(`SELECT x.article_id, t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id ORDER BY x.article_id, x.position`);
      for (const row of rows) {
        row.tags = tagRows.filter((t: any) => t.article_id === row.id).map((t: any) => t.name).join("|");
        delete row.id;
      }
      assert.deepEqual(rows, [
        { slug: "dua-sumber", status: "published", url: "https://cdn.example.id/b.jpg", caption: "Keterangan foto sendiri", tags: "Dari Sidecar" },
        { slug: "slug-dari-manifes", status: "draft", url: "https://cdn.example.id/a.jpg", caption: "Dari manifes", tags: "Manifes|Politik" },
      ]);
    });
  });
});
