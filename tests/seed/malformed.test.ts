import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runSeed, runSeedReport, samplePage, sampleText, tempDbFile, tempDir, withDatabase, writePage, type SeedRun } from "../support/seed-cli";

describe("seed command: malformed pages", () => {
  const dir = tempDir("malformed");
  const dbFile = tempDbFile("malformed");
  const lines = sampleText().split("\n");
  let run: SeedRun;

  before(async () => {
    writePage(dir, "a-good.txt", samplePage({ title: "Halaman yang baik" }), { tags: ["Baik"] });
    // Byline without its date: the name line repeated, no date after it.
    writePage(dir, "no-date.txt", samplePage({ title: "Tanpa tanggal", author: "Budi Santoso" }).replace(" Rabu, 13 Sep 2023 19:59 WIB", ""), { tags: ["Rusak"] });
    // Title line removed: the lead is read as the title and the byline comes where the lead should.
    writePage(dir, "no-title.txt", [...lines.slice(0, 6), ...lines.slice(8)].join("\n").split("Arpan Rachman").join("Citra Kirana"));
    writePage(dir, "only-masthead.txt", lines.slice(0, 5).join("\n"));
    writePage(dir, "empty.txt", "");
    writePage(dir, "binary.txt", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]));
    writePage(dir, "bad-sidecar.txt", samplePage({ title: "Sidecar rusak" }));
    fs.writeFileSync(path.join(dir, "bad-sidecar.json"), '{\n  "tags": ["Politik"],\n  "status": "archived"\n}\n');
    writePage(dir, "z-good.txt", samplePage({ title: "Halaman terakhir yang baik" }));
    run = await runSeed(dbFile, [dir]);
  });

  test("exits 1 and names each broken file with its line and what was expected", () => {
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^created 2, updated 0, unchanged 0, failed 6 \(8 pages read\)$/m);
    const failed = run.stderr.trim().split("\n").sort();
    const p = (name: string) => path.join(dir, name);
    assert.deepEqual(failed, [
      `failed ${p("bad-sidecar.json")}:3: "status" must be "draft" or "published"`,
      `failed ${p("binary.txt")}:1: expected UTF-8 text (expected UTF-8 text)`,
      `failed ${p("empty.txt")}:1: expected a title, found an empty file (expected a title)`,
      `failed ${p("no-date.txt")}:12: no date on the byline line (expected a byline date)`,
      `failed ${p("no-title.txt")}:9: expected a lead paragraph, found the byline (expected a lead paragraph)`,
      `failed ${p("only-masthead.txt")}:5: expected a title after the masthead, found end of file (expected a title)`,
    ].sort());
  });

  test("nothing of a broken file is written; the good files before and after it load", async () => {
    await withDatabase(dbFile, async (ds) => {
      const titles = (await ds.query(`SELECT title FROM articles ORDER BY title`)).map((r: any) => r.title);
      assert.deepEqual(titles, ["Halaman terakhir yang baik", "Halaman yang baik"]);
      const authors = (await ds.query(`SELECT name FROM authors`)).map((r: any) => r.name);
      assert.deepEqual(authors, ["Arpan Rachman"], "authors of broken pages are not created");
      const tags = (await ds.query(`SELECT name FROM tags`)).map((r: any) => r.name);
      assert.deepEqual(tags, ["Baik"], "tags of broken pages are not created");
    });
  });

  test("a missing path fails the run without stopping the others", async () => {
    const other = tempDbFile("missing");
    const good = path.join(dir, "a-good.txt");
    const result = await runSeedReport(other, [path.join(dir, "does-not-exist.txt"), good]);
    assert.equal(result.status, 1);
    assert.equal(result.report.created, 1);
    assert.deepEqual(result.report.failed, [{ path: path.join(dir, "does-not-exist.txt"), line: 0, message: "no such file or folder" }]);
  });
});
