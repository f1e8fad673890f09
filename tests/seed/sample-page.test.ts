import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Article } from "../../src/entities/article.entity";
import { Author } from "../../src/entities/author.entity";
import { countWords } from "../../src/lib/text";
import { startTestServer } from "../support/server";
import { SAMPLE_PATH, SAMPLE_TITLE, runSeed, runSeedReport, tempDbFile, tempDir, withDatabase, writePage, type SeedRun } from "../support/seed-cli";

const SLUG = "bertemu-di-pangkalan-antariksa-rusia-kim-jong-un-dan-vladimir-putin-bicarakan";
const LEAD = "Putin mengajak Kim berkeliling kosmodrom, tempat peluncuran roket antariksa paling modern di Rusia.";
const FIRST_PARAGRAPH =
  "Vladimir Putin dan Kim Jong-un bertemu di pangkalan luar angkasa di Rusia untuk melakukan pembicaraan yang diprediksi mencakup kesepakatan memasok senjata buatan Korea Utara untuk perang di Ukraina. Sementara Putin dilaporkan berjanji membantu negara terisolasi tersebut membangun satelit.";
const LAST_PARAGRAPH =
  "\u201CKekhawatiran utama pemerintah Rusia saat ini adalah kemungkinan pengiriman amunisi Korsel ke Ukraina, bukan hanya satu pengiriman tetapi banyak pengiriman,\u201D kata Lankov dilansir Guardian.";
const RELATED_TITLE = "Pengamat: Jokowi Semakin Condong ke Ganjar";

describe("seed command: the sample page", () => {
  const dbFile = tempDbFile("sample");
  const dir = tempDir("sample");
  let page: string;
  let run: SeedRun;

  before(async () => {
    page = writePage(dir, "putin-kim.txt", fs.readFileSync(SAMPLE_PATH), {
      tags: ["Internasional", "Korea Utara", "Rusia"],
      featuredImageUrl: "https://cdn.example.id/img/putin-kim.jpg",
    });
    run = await runSeed(dbFile, [dir]);
  });

  test("exits 0 and prints the summary with the unresolved Berita Lainnya entries, deduplicated", () => {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^created 1, updated 0, unchanged 0, failed 0 \(1 page read\)$/m);
    assert.match(run.stdout, /2 related links not found in the database/);
    const unresolved = run.stdout.split("\n").filter((l) => l.includes(RELATED_TITLE));
    assert.deepEqual(unresolved, [
      `  ${page}:72: "${RELATED_TITLE}" (Senin, 02 Okt 2023 15:28 WIB)`,
      `  ${page}:76: "${RELATED_TITLE}" (Senin, 02 Okt 2023 15:27 WIB)`,
    ]);
    assert.equal(run.stderr, "");
  });

  test("stores every field of the page", async () => {
    await withDatabase(dbFile, async (ds) => {
      const articles = await ds.getRepository(Article).find();
      assert.equal(articles.length, 1);
      const [article] = articles;
      assert.equal(article.slug, SLUG);
      assert.equal(article.title, SAMPLE_TITLE);
      assert.equal(article.lead, LEAD);
      assert.equal(article.publishedAt?.toISOString(), "2023-09-13T12:59:00.000Z");
      assert.equal(article.timeZone, "Asia/Jakarta");
      assert.equal(article.status, "published");
      assert.equal(article.featuredImageCaption, SAMPLE_TITLE);
      assert.equal(article.featuredImageUrl, "https://cdn.example.id/img/putin-kim.jpg");
      const paragraphs = article.body.split("\n\n");
      assert.equal(paragraphs.length, 27);
      assert.equal(paragraphs[0], FIRST_PARAGRAPH);
      assert.equal(paragraphs[26], LAST_PARAGRAPH);
      assert.ok(!article.body.includes("Caleg Pilihan") && !article.body.includes("tekid"));
      assert.equal(article.wordCount, countWords(article.body));
      const authors = await ds.getRepository(Author).find();
      assert.deepEqual(authors.map((a) => [a.slug, a.name]), [["arpan-rachman", "Arpan Rachman"]]);
      const related = await ds.query(`SELECT COUNT(*) AS n FROM article_related`);
      assert.equal(Number(related[0].n), 0, "unresolved entries are not invented");
    });
  });

  test("serves the article over GraphQL with author, date text, paragraphs, tags and image", async () => {
    const server = await startTestServer({ dbFile });
    try {
      const res = await server.gql(
        `query ($slug: String!) { article(slug: $slug) {
          title lead publishedAt publishedAtText paragraphs status
          author { name slug } tags { name slug } featuredImage { url caption } related { article { slug } }
        } }`,
        { slug: SLUG },
      );
      assert.equal(res.status, 200);
      const article = res.body.data.article;
      assert.equal(article.title, SAMPLE_TITLE);
      assert.equal(article.lead, LEAD);
      assert.equal(article.publishedAt, "2023-09-13T12:59:00.000Z");
      assert.equal(article.publishedAtText, "Rabu, 13 Sep 2023 19:59 WIB");
      assert.equal(article.status, "PUBLISHED");
      assert.equal(article.paragraphs.length, 27);
      assert.equal(article.paragraphs[0], FIRST_PARAGRAPH);
      assert.equal(article.paragraphs[26], LAST_PARAGRAPH);
      assert.deepEqual(article.author, { name: "Arpan Rachman", slug: "arpan-rachman" });
      assert.deepEqual(article.tags, [
        { name: "Internasional", slug: "internasional" },
        { name: "Korea Utara", slug: "korea-utara" },
        { name: "Rusia", slug: "rusia" },
      ]);
      assert.deepEqual(article.featuredImage, { url: "https://cdn.example.id/img/putin-kim.jpg", caption: SAMPLE_TITLE });
    } finally {
      await server.close();
    }
  });

  test("the JSON report lists the two distinct related entries with their lines", async () => {
    const again = await runSeedReport(dbFile, [page]);
    assert.equal(again.status, 0);
    assert.deepEqual(
      again.report.unresolvedRelated.map((u) => [path.basename(u.path), u.line, u.title, u.date]),
      [
        ["putin-kim.txt", 72, RELATED_TITLE, "Senin, 02 Okt 2023 15:28 WIB"],
        ["putin-kim.txt", 76, RELATED_TITLE, "Senin, 02 Okt 2023 15:27 WIB"],
      ],
    );
  });

  test("--help explains usage; an unknown option is a usage error", async () => {
    const help = await runSeed(dbFile, ["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: npm run seed -- \[options\] \[files or folders\.\.\.\]/);
    assert.match(help.stdout, /--dry-run/);
    assert.match(help.stdout, /--synthetic N/);
    const bad = await runSeed(dbFile, ["--frobnicate"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option --frobnicate/);
  });
});
