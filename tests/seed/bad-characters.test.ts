import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { importPages, type ImportReport } from "../../src/import/importer";
import { samplePage, tempDbFile, tempDir, withDatabase, writePage } from "../support/seed-cli";

/** NUL and unpaired surrogates are refused in pages and sidecars, with the file and the line. */
describe("importer: bad characters", () => {
  const dir = tempDir("bad-characters");
  const dbFile = tempDbFile("bad-characters");
  let report: ImportReport;
  const p = (name: string) => path.join(dir, name);

  before(async () => {
    writePage(dir, "a-good.txt", samplePage({ title: "Halaman yang baik" }), { tags: ["Baik 🌋"] });
    const withNul = samplePage({ title: "Ada NUL", extraParagraph: "Paragraf dengan \u0000 di tengah." });
    writePage(dir, "nul-in-body.txt", withNul);
    // JSON escapes are how a lone surrogate or a NUL reaches a sidecar; the file itself is valid UTF-8.
    writePage(dir, "nul-in-tag.txt", samplePage({ title: "Tag rusak" }));
    fs.writeFileSync(p("nul-in-tag.json"), '{\n  "status": "published",\n  "tags": ["Politik", "Eko\\u0000nomi"]\n}\n');
    writePage(dir, "surrogate-caption.txt", samplePage({ title: "Keterangan rusak" }));
    fs.writeFileSync(p("surrogate-caption.json"), '{\n  "tags": ["Politik"],\n  "featuredImageCaption": "Foto \\ud800"\n}\n');
    writePage(dir, "nul-in-url.txt", samplePage({ title: "URL rusak" }));
    fs.writeFileSync(p("nul-in-url.json"), '{\n  "featuredImageUrl": "https://x.test/a\\u0000.jpg"\n}\n');
    writePage(dir, "manifest-entry.txt", samplePage({ title: "Manifest rusak" }));
    fs.writeFileSync(p("_manifest.json"), '{\n  "manifest-entry.txt": {\n    "tags": ["\\udfff"]\n  }\n}\n');
    report = await withDatabase(dbFile, (ds) => importPages(ds, [dir]));
  });

  test("each bad file is reported with its path, line and what is wrong", () => {
    const nulLine = samplePage({ title: "Ada NUL", extraParagraph: "Paragraf dengan \u0000 di tengah." }).split("\n").findIndex((l) => l.includes("\u0000")) + 1;
    const failed = [...report.failed].sort((a, b) => a.path.localeCompare(b.path));
    assert.deepEqual(
      failed.map((f) => ({ path: f.path, line: f.line })),
      [
        { path: p("_manifest.json"), line: 3 },
        { path: p("nul-in-body.txt"), line: nulLine },
        { path: p("nul-in-tag.json"), line: 3 },
        { path: p("nul-in-url.json"), line: 2 },
        { path: p("surrogate-caption.json"), line: 3 },
      ],
      JSON.stringify(report.failed, null, 1),
    );
    const message = (name: string) => failed.find((f) => f.path === p(name))!.message;
    assert.match(message("nul-in-body.txt"), /NUL/);
    assert.match(message("nul-in-tag.json"), /"tags".*NUL/);
    assert.match(message("surrogate-caption.json"), /"featuredImageCaption".*surrogate/);
    assert.match(message("nul-in-url.json"), /"featuredImageUrl"/);
    assert.match(message("_manifest.json"), /entry "manifest-entry.txt": "tags".*surrogate/);
    // eslint-disable-next-line no-control-regex -- NUL is exactly the character the report must not repeat
    for (const f of failed) assert.doesNotMatch(f.message, /[\u0000\ud800-\udfff]/, "the report does not repeat the bad character");
  });

  test("nothing of a bad file is written; the good page and its emoji tag are stored exactly", async () => {
    assert.equal(report.created, 1);
    await withDatabase(dbFile, async (ds) => {
      assert.deepEqual((await ds.query(`SELECT title FROM articles`)).map((r: any) => r.title), ["Halaman yang baik"]);
      assert.deepEqual((await ds.query(`SELECT name FROM tags ORDER BY name`)).map((r: any) => r.name), ["Baik 🌋"]);
    });
  });
});
