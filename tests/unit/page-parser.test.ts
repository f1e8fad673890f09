import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PageParseError, ParsedPage, parsePage } from "../../src/import/page-parser";

// Tests run from dist/tests/unit, three levels below the project root.
const SAMPLE_PATH = path.join(__dirname, "../../../seeds/alinea-putin-kim-vostochny.txt");
const sample = readFileSync(SAMPLE_PATH, "utf8");
const sampleLines = sample.split("\n");

const TITLE = "Bertemu di pangkalan antariksa Rusia, Kim Jong-un dan Vladimir Putin bicarakan senjata";
const FIRST_PARAGRAPH =
  "Vladimir Putin dan Kim Jong-un bertemu di pangkalan luar angkasa di Rusia untuk melakukan pembicaraan yang diprediksi mencakup kesepakatan memasok senjata buatan Korea Utara untuk perang di Ukraina. Sementara Putin dilaporkan berjanji membantu negara terisolasi tersebut membangun satelit.";
const LAST_PARAGRAPH =
  "\u201CKekhawatiran utama pemerintah Rusia saat ini adalah kemungkinan pengiriman amunisi Korsel ke Ukraina, bukan hanya satu pengiriman tetapi banyak pengiriman,\u201D kata Lankov dilansir Guardian.";

/** Replaces 1-based line `no` of the sample with `replacement` lines (none to delete it). */
function withLines(no: number, ...replacement: string[]): string {
  const lines = [...sampleLines];
  lines.splice(no - 1, 1, ...replacement);
  return lines.join("\n");
}

function parseError(input: string | Buffer): PageParseError {
  try {
    parsePage(input);
  } catch (err) {
    assert.ok(err instanceof PageParseError, `expected PageParseError, got ${String(err)}`);
    assert.ok(err instanceof Error);
    assert.equal(err.name, "PageParseError");
    assert.ok(err.message.startsWith(`line ${err.line}: `), err.message);
    return err;
  }
  assert.fail("parsePage did not throw");
}

/** Fields that do not depend on line numbers. */
function content(page: ParsedPage) {
  const { bylineLine: _b, warnings: _w, related, ...rest } = page;
  return { ...rest, related: related.map(({ line: _l, ...r }) => r) };
}

describe("parsePage on the sample page", () => {
  const page = parsePage(sample);

  test("reads title, lead and byline", () => {
    assert.equal(page.title, TITLE);
    assert.equal(page.lead, "Putin mengajak Kim berkeliling kosmodrom, tempat peluncuran roket antariksa paling modern di Rusia.");
    assert.equal(page.authorName, "Arpan Rachman");
    assert.equal(page.publishedAt.toISOString(), "2023-09-13T12:59:00.000Z");
    assert.equal(page.timeZone, "Asia/Jakarta");
    assert.equal(page.bylineLine, 12);
  });

  test("reads the featured image caption", () => {
    assert.equal(page.featuredImageCaption, TITLE);
  });

  test("reads the body exactly as written", () => {
    assert.equal(page.paragraphs.length, 27);
    assert.equal(page.paragraphs[0], FIRST_PARAGRAPH);
    assert.equal(page.paragraphs[26], LAST_PARAGRAPH);
    assert.equal(page.body, page.paragraphs.join("\n\n"));
    assert.ok(page.body.includes("kosmodrom \u2013 tempat peluncuran"), "en dash kept");
    assert.ok(page.body.includes("\u201Csemua masalah\u201D"), "curly quotes kept");
    for (const p of page.paragraphs) {
      assert.doesNotMatch(p, /Caleg Pilihan|Berita Lainnya|tekid|\u00D7/);
    }
  });

  test("deduplicates Berita Lainnya by title and instant", () => {
    assert.deepEqual(page.related, [
      { title: "Pengamat: Jokowi Semakin Condong ke Ganjar", publishedAt: new Date("2023-10-02T08:28:00.000Z"), timeZone: "Asia/Jakarta", line: 72 },
      { title: "Pengamat: Jokowi Semakin Condong ke Ganjar", publishedAt: new Date("2023-10-02T08:27:00.000Z"), timeZone: "Asia/Jakarta", line: 76 },
    ]);
  });

  test("has no warnings", () => {
    assert.deepEqual(page.warnings, []);
  });
});

describe("parsePage input variations", () => {
  const expected = parsePage(sample);

  test("CRLF with a BOM gives the same result", () => {
    assert.deepEqual(parsePage("\uFEFF" + sample.replace(/\n/g, "\r\n")), expected);
  });

  test("a Buffer with a BOM and CRLF gives the same result", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample.replace(/\n/g, "\r\n"), "utf8")]);
    assert.deepEqual(parsePage(bytes), expected);
  });

  test("old Mac CR line endings give the same result", () => {
    assert.deepEqual(parsePage(sample.replace(/\n/g, "\r")), expected);
  });

  test("trailing spaces and a final newline change nothing", () => {
    assert.deepEqual(parsePage(sample.replace(/\n/g, "  \t\n") + "\n"), expected);
  });

  test("extra blank lines change only line numbers", () => {
    const spaced = sample.replace(/\n\n/g, "\n\n\n\n");
    const page = parsePage(spaced);
    assert.deepEqual(content(page), content(expected));
    assert.deepEqual(page.warnings, []);
  });

  test("masthead lines are matched case-insensitively", () => {
    const page = parsePage(sample.replace("a l i n e a dot id", "A L I N E A  DOT ID").replace("sun", "SUN"));
    assert.deepEqual(page, expected);
  });

  test("WITA page", () => {
    const page = parsePage(withLines(12, "Arpan Rachman Rabu, 13 Sep 2023 19:59 WITA"));
    assert.equal(page.publishedAt.toISOString(), "2023-09-13T11:59:00.000Z");
    assert.equal(page.timeZone, "Asia/Makassar");
  });

  test("WIT page", () => {
    const page = parsePage(withLines(12, "Arpan Rachman Rabu, 13 Sep 2023 19:59 WIT"));
    assert.equal(page.publishedAt.toISOString(), "2023-09-13T10:59:00.000Z");
    assert.equal(page.timeZone, "Asia/Jayapura");
  });

  test("a byline with only the `Name Date` line", () => {
    const page = parsePage(withLines(11));
    assert.equal(page.authorName, "Arpan Rachman");
    assert.equal(page.publishedAt.toISOString(), "2023-09-13T12:59:00.000Z");
    assert.equal(page.bylineLine, 11);
    assert.equal(page.featuredImageCaption, TITLE);
    assert.equal(page.paragraphs.length, 27);
  });

  test("a byline whose second line carries only the date", () => {
    const page = parsePage(withLines(12, "Rabu, 13 Sep 2023 19:59 WIB"));
    assert.equal(page.authorName, "Arpan Rachman");
    assert.equal(page.bylineLine, 12);
    assert.equal(page.featuredImageCaption, TITLE);
  });

  test("a lead directly followed by the byline, without a blank line", () => {
    const page = parsePage(withLines(10));
    assert.equal(page.lead, expected.lead);
    assert.equal(page.authorName, "Arpan Rachman");
    assert.equal(page.bylineLine, 11);
  });

  test("a caption that differs from the title", () => {
    const page = parsePage(withLines(13, "Kim Jong-un dan Vladimir Putin di Kosmodrom Vostochny. Foto: Reuters"));
    assert.equal(page.featuredImageCaption, "Kim Jong-un dan Vladimir Putin di Kosmodrom Vostochny. Foto: Reuters");
    assert.deepEqual(page.paragraphs, expected.paragraphs);
  });

  test("no caption: a blank line right after the byline", () => {
    const page = parsePage(withLines(13));
    assert.equal(page.featuredImageCaption, null);
    assert.deepEqual(page.paragraphs, expected.paragraphs);
  });

  test("a day name that disagrees with the date is accepted with a warning", () => {
    const page = parsePage(withLines(12, "Arpan Rachman Kamis, 13 Sep 2023 19:59 WIB"));
    assert.equal(page.publishedAt.toISOString(), "2023-09-13T12:59:00.000Z");
    assert.equal(page.warnings.length, 1);
    assert.equal(page.warnings[0].line, 12);
    assert.match(page.warnings[0].message, /wrong day/);
  });

  test("a paragraph wrapped over several lines is joined with single spaces", () => {
    const cut = FIRST_PARAGRAPH.indexOf(" ", 100);
    const [a, b] = [FIRST_PARAGRAPH.slice(0, cut), FIRST_PARAGRAPH.slice(cut + 1)];
    const page = parsePage(withLines(15, a, "   " + b));
    assert.equal(page.paragraphs[0], FIRST_PARAGRAPH);
    assert.deepEqual(page.paragraphs, expected.paragraphs);
  });

  test("a wrapped lead is joined too", () => {
    const page = parsePage(withLines(9, "Putin mengajak Kim berkeliling kosmodrom,", "tempat peluncuran roket antariksa paling modern di Rusia."));
    assert.equal(page.lead, expected.lead);
    assert.equal(page.authorName, "Arpan Rachman");
  });

  test("other side blocks also end the body", () => {
    const page = parsePage(withLines(69, "Berita Terkait", "Sesuatu yang lain", "", "Caleg Pilihan:", "Nama Caleg"));
    assert.deepEqual(page.paragraphs, expected.paragraphs);
    assert.equal(page.related.length, 2);
    assert.deepEqual(page.warnings, []);
  });

  test("a page without Berita Lainnya or trailer", () => {
    const page = parsePage(sampleLines.slice(0, 67).join("\n"));
    assert.deepEqual(page.paragraphs, expected.paragraphs);
    assert.deepEqual(page.related, []);
  });

  test("the trailer alone ends the body", () => {
    const page = parsePage([...sampleLines.slice(0, 68), "\u00D7", "tekid"].join("\n"));
    assert.deepEqual(page.paragraphs, expected.paragraphs);
    assert.deepEqual(page.related, []);
    assert.deepEqual(page.warnings, []);
  });

  test("a Berita Lainnya title without a date is a warning, not an error", () => {
    const page = parsePage(withLines(74, "Judul lain tanpa tanggal"));
    assert.equal(page.paragraphs.length, 27);
    assert.deepEqual(page.warnings.map((w) => w.line), [72, 74]);
    assert.match(page.warnings[0].message, /no date line/);
    // Line 74 is now a title without date, line 76's title takes line 78's date.
    assert.deepEqual(page.related.map((r) => [r.line, r.publishedAt.toISOString()]), [[76, "2023-10-02T08:27:00.000Z"]]);
  });

  test("a Berita Lainnya title at the very end without a date is a warning", () => {
    const page = parsePage([...sampleLines.slice(0, 79), "Judul terakhir", "\u00D7", "tekid"].join("\n"));
    assert.equal(page.related.length, 2);
    assert.deepEqual(page.warnings.map((w) => w.line), [80]);
  });

  test("Berita Lainnya pairs with varying blank lines", () => {
    const page = parsePage([...sampleLines.slice(0, 70), "Judul A", "Selasa, 03 Okt 2023 09:00 WITA", "", "", "", "Judul B", "", "Rabu, 04 Okt 2023 09:00 WIT"].join("\n"));
    assert.deepEqual(page.related.map((r) => [r.title, r.publishedAt.toISOString(), r.timeZone, r.line]), [
      ["Judul A", "2023-10-03T01:00:00.000Z", "Asia/Makassar", 71],
      ["Judul B", "2023-10-04T00:00:00.000Z", "Asia/Jayapura", 76],
    ]);
  });
});

// End-of-file errors point at the last line of the file; a final newline does not add a line.
describe("parsePage errors", () => {
  test("empty file", () => {
    for (const input of ["", "\uFEFF", "\n\n   \n", Buffer.alloc(0)]) {
      const err = parseError(input);
      assert.equal(err.line, 1);
      assert.equal(err.message, "line 1: expected a title, found an empty file");
    }
  });

  test("binary content", () => {
    const inputs: (string | Buffer)[] = [
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from([0x54, 0x69, 0x74, 0x6c, 0xe9, 0x0a]), // Latin-1 "Titlé"
      Buffer.from([0x54, 0x0a, 0xed, 0xa0, 0x80, 0x0a]), // a surrogate encoded as UTF-8 bytes (CESU-8)
    ];
    for (const input of inputs) {
      const err = parseError(input);
      assert.equal(err.line, 1);
      assert.equal(err.expected, "UTF-8 text");
      assert.equal(err.message, "line 1: expected UTF-8 text");
    }
  });

  test("NUL and unpaired surrogates are reported on their line", () => {
    const cases: [string | Buffer, number, RegExp][] = [
      ["title\u0000", 1, /^line 1: NUL character/],
      [Buffer.from("title\nlead\u0000more", "utf8"), 2, /^line 2: NUL character/],
      ["title\r\n\r\nlead\r\nbad surrogate \uD800 here", 4, /^line 4: unpaired UTF-16 surrogate/],
      ["title\rlead \uDC00", 2, /^line 2: unpaired UTF-16 surrogate/],
    ];
    for (const [input, line, message] of cases) {
      const err = parseError(input);
      assert.equal(err.line, line);
      assert.match(err.message, message);
    }
    // A surrogate pair is one character, not two lone halves.
    assert.doesNotThrow(() => parsePage(sampleLines.join("\n").replace("Kim Jong-un", "Kim Jong-un \uD83C\uDF0B")));
  });

  test("only a masthead: no title", () => {
    // The sixth element is the empty string after the final newline: the file has 5 lines.
    const err = parseError(sampleLines.slice(0, 6).join("\n"));
    assert.equal(err.expected, "a title");
    assert.equal(err.line, 5);
    assert.match(err.message, /found end of file/);
  });

  test("only a title: no lead", () => {
    const err = parseError(sampleLines.slice(0, 8).join("\n"));
    assert.equal(err.expected, "a lead paragraph");
    assert.equal(err.line, 7);
  });

  test("title followed by the byline: no lead", () => {
    const err = parseError(withLines(9));
    assert.equal(err.expected, "a lead paragraph");
    assert.equal(err.line, 10);
    assert.match(err.message, /found the byline/);
  });

  test("byline line without a date", () => {
    const err = parseError(withLines(12, "Arpan Rachman"));
    assert.equal(err.line, 12);
    assert.equal(err.expected, "a byline date");
    assert.equal(err.message, "line 12: no date on the byline line");
  });

  test("byline line with an impossible date", () => {
    for (const bad of ["Arpan Rachman Rabu, 31 Feb 2023 19:59 WIB", "Arpan Rachman Rabu, 13 Sep 2023 25:59 WIB", "Arpan Rachman Rabu, 13 Sep 2023 19:59"]) {
      const err = parseError(withLines(12, bad));
      assert.equal(err.message, "line 12: no date on the byline line", bad);
    }
  });

  test("byline missing altogether", () => {
    const err = parseError([...sampleLines.slice(0, 10), ...sampleLines.slice(12)].join("\n"));
    assert.equal(err.message, "line 11: no date on the byline line");
  });

  test("byline missing at end of file", () => {
    const err = parseError(sampleLines.slice(0, 10).join("\n"));
    assert.equal(err.expected, "a byline date");
    assert.equal(err.line, 9);
  });

  test("no body paragraphs", () => {
    const atEnd = parseError(sampleLines.slice(0, 14).join("\n"));
    assert.equal(atEnd.expected, "body paragraphs");
    assert.equal(atEnd.line, 13);
    assert.match(atEnd.message, /found end of file/);

    const beforeSideBlock = parseError([...sampleLines.slice(0, 14), ...sampleLines.slice(68)].join("\n"));
    assert.equal(beforeSideBlock.line, 15);
    assert.equal(beforeSideBlock.message, 'line 15: expected body paragraphs, found "Caleg Pilihan"');
  });

  test("line numbers count the original lines with CRLF and a BOM", () => {
    const err = parseError("\uFEFF" + withLines(12, "Arpan Rachman Rabu, 31 Feb 2023 19:59 WIB").replace(/\n/g, "\r\n"));
    assert.equal(err.line, 12);
  });

  test("rejects input that is neither text nor bytes", () => {
    assert.throws(() => parsePage(42 as unknown as string), TypeError);
  });
});
