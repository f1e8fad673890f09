import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  NEWSROOM_ZONES,
  findIndonesianDate,
  formatArticleDate,
  formatIndonesianDate,
  inspectIndonesianDates,
  isValidTimeZone,
  parseIndonesianDate,
} from "../../src/lib/indonesian-date";

const iso = (text: string) => parseIndonesianDate(text)?.instant.toISOString() ?? null;

describe("NEWSROOM_ZONES", () => {
  test("maps labels to zones and back", () => {
    assert.equal(NEWSROOM_ZONES.WIB, "Asia/Jakarta");
    assert.equal(NEWSROOM_ZONES.WITA, "Asia/Makassar");
    assert.equal(NEWSROOM_ZONES.WIT, "Asia/Jayapura");
    assert.equal(NEWSROOM_ZONES["Asia/Jakarta"], "WIB");
    assert.equal(NEWSROOM_ZONES["Asia/Makassar"], "WITA");
    assert.equal(NEWSROOM_ZONES["Asia/Jayapura"], "WIT");
  });
});

describe("parseIndonesianDate", () => {
  test("parses the byline date of the sample page", () => {
    const parsed = parseIndonesianDate("Rabu, 13 Sep 2023 19:59 WIB");
    assert.ok(parsed);
    assert.equal(parsed.instant.toISOString(), "2023-09-13T12:59:00.000Z");
    assert.equal(parsed.timeZone, "Asia/Jakarta");
  });

  test("handles all three newsroom zones", () => {
    assert.deepEqual(parseIndonesianDate("Rabu, 13 Sep 2023 19:59 WITA"), {
      instant: new Date("2023-09-13T11:59:00.000Z"),
      timeZone: "Asia/Makassar",
    });
    assert.deepEqual(parseIndonesianDate("Rabu, 13 Sep 2023 19:59 WIT"), {
      instant: new Date("2023-09-13T10:59:00.000Z"),
      timeZone: "Asia/Jayapura",
    });
  });

  test("crosses the UTC date line backwards", () => {
    assert.equal(iso("Senin, 1 Jan 2024 05:30 WIT"), "2023-12-31T20:30:00.000Z");
  });

  test("accepts Jumat, Jum'at and Jum’at", () => {
    for (const name of ["Jumat", "Jum'at", "Jum\u2019at", "JUM'AT", "jumat"]) {
      assert.equal(iso(`${name}, 15 Sep 2023 08:00 WIB`), "2023-09-15T01:00:00.000Z", name);
    }
  });

  test("accepts every day name, case-insensitively", () => {
    const week = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
    week.forEach((name, k) => {
      const day = 10 + k; // 10 Sep 2023 is a Sunday
      assert.equal(iso(`${name.toUpperCase()}, ${day} Sep 2023 12:00 WIB`), `2023-09-${day}T05:00:00.000Z`, name);
      assert.equal(iso(`${name.toLowerCase()}, ${day} Sep 2023 12:00 WIB`), `2023-09-${day}T05:00:00.000Z`, name);
    });
  });

  test("accepts August as Agu, Agt, Ago and Agustus", () => {
    for (const month of ["Agu", "Agt", "Ago", "Agustus", "AGT", "agustus"]) {
      assert.equal(iso(`Kamis, 17 ${month} 2023 10:00 WIB`), "2023-08-17T03:00:00.000Z", month);
    }
  });

  test("accepts full month names and abbreviations", () => {
    const names = [
      ["Jan", "Januari"], ["Feb", "Februari"], ["Mar", "Maret"], ["Apr", "April"], ["Mei", "Mei"], ["Jun", "Juni"],
      ["Jul", "Juli"], ["Agu", "Agustus"], ["Sep", "September"], ["Okt", "Oktober"], ["Nov", "November"], ["Des", "Desember"],
    ];
    names.forEach(([abbr, full], m) => {
      const expected = new Date(Date.UTC(2023, m, 5, 3, 0)).toISOString();
      assert.equal(iso(`Senin, 05 ${abbr} 2023 10:00 WIB`), expected, abbr);
      assert.equal(iso(`Senin, 5 ${full} 2023 10:00 WIB`), expected, full);
    });
  });

  test("accepts one-digit days, a dot in the time and lowercase zones", () => {
    assert.equal(iso("Senin, 2 Okt 2023 15.28 wib"), "2023-10-02T08:28:00.000Z");
    assert.equal(iso("  Senin,   02 Okt 2023   15:28   WIB  "), "2023-10-02T08:28:00.000Z");
    assert.equal(iso("Senin 02 Okt 2023 15:28 WIB"), "2023-10-02T08:28:00.000Z");
  });

  test("accepts a day name that disagrees with the date", () => {
    // 13 Sep 2023 was a Wednesday (Rabu); pages carry such typos and the numbers win.
    assert.equal(iso("Selasa, 13 Sep 2023 19:59 WIB"), "2023-09-13T12:59:00.000Z");
  });

  test("accepts 29 Feb only in leap years", () => {
    assert.equal(iso("Kamis, 29 Feb 2024 10:00 WIB"), "2024-02-29T03:00:00.000Z");
    assert.equal(parseIndonesianDate("Rabu, 29 Feb 2023 10:00 WIB"), null);
    assert.equal(iso("Selasa, 29 Feb 2000 10:00 WIB"), "2000-02-29T03:00:00.000Z");
    assert.equal(parseIndonesianDate("Kamis, 29 Feb 1900 10:00 WIB"), null);
  });

  test("rejects invalid input", () => {
    const bad = [
      "",
      "   ",
      "Rabu, 31 Feb 2023 19:59 WIB",
      "Rabu, 31 Sep 2023 19:59 WIB",
      "Rabu, 0 Sep 2023 19:59 WIB",
      "Rabu, 13 Sep 2023 25:00 WIB",
      "Rabu, 13 Sep 2023 24:00 WIB",
      "Rabu, 13 Sep 2023 19:60 WIB",
      "Rabu, 13 Sep 2023 19:59",
      "Rabu, 13 Sep 2023 19:59 WET",
      "Rabu, 13 Sep 2023 19:59 WIBX",
      "Rabu, 13 Foo 2023 19:59 WIB",
      "Wednesday, 13 Sep 2023 19:59 WIB",
      "13 Sep 2023 19:59 WIB",
      "Rabu, 13 Sep 23 19:59 WIB",
      "Rabu, 13 Sep 2023 1959 WIB",
      "Arpan Rachman Rabu, 13 Sep 2023 19:59 WIB",
      "Rabu, 13 Sep 2023 19:59 WIB extra",
    ];
    for (const text of bad) assert.equal(parseIndonesianDate(text), null, JSON.stringify(text));
    assert.equal(parseIndonesianDate(undefined as unknown as string), null);
  });
});

describe("findIndonesianDate", () => {
  test("finds the date in the byline line", () => {
    const line = "Arpan Rachman Rabu, 13 Sep 2023 19:59 WIB";
    const found = findIndonesianDate(line);
    assert.ok(found);
    assert.equal(found.index, 14);
    assert.equal(found.match, "Rabu, 13 Sep 2023 19:59 WIB");
    assert.equal(line.slice(found.index, found.index + found.match.length), found.match);
    assert.equal(found.instant.toISOString(), "2023-09-13T12:59:00.000Z");
    assert.equal(found.timeZone, "Asia/Jakarta");
  });

  test("does not cut WITA down to WIT", () => {
    const found = findIndonesianDate("Diperbarui Rabu, 13 Sep 2023 19:59 WITA.");
    assert.equal(found?.match, "Rabu, 13 Sep 2023 19:59 WITA");
    assert.equal(found?.timeZone, "Asia/Makassar");
  });

  test("skips an invalid look-alike and returns the next valid date", () => {
    const found = findIndonesianDate("Rabu, 31 Feb 2023 10:00 WIB lalu Kamis, 14 Sep 2023 10:00 WIT");
    assert.equal(found?.match, "Kamis, 14 Sep 2023 10:00 WIT");
    assert.equal(found?.instant.toISOString(), "2023-09-14T01:00:00.000Z");
  });

  test("needs a word boundary before the day name", () => {
    assert.equal(findIndonesianDate("XRabu, 13 Sep 2023 19:59 WIB"), null);
  });

  test("returns null when there is no date", () => {
    assert.equal(findIndonesianDate("Arpan Rachman"), null);
    assert.equal(findIndonesianDate(""), null);
  });

  test("inspectIndonesianDates reports day-name agreement", () => {
    const [good] = inspectIndonesianDates("Rabu, 13 Sep 2023 19:59 WIB");
    const [bad] = inspectIndonesianDates("Kamis, 13 Sep 2023 19:59 WIB");
    assert.equal(good.dayNameMatches, true);
    assert.equal(bad.dayNameMatches, false);
    assert.equal(bad.instant.toISOString(), "2023-09-13T12:59:00.000Z");
  });
});

describe("formatIndonesianDate", () => {
  const instant = new Date("2023-09-13T12:59:00.000Z");

  test("formats the sample byline date", () => {
    assert.equal(formatIndonesianDate(instant), "Rabu, 13 Sep 2023 19:59 WIB");
    assert.equal(formatIndonesianDate(instant, "Asia/Jakarta"), "Rabu, 13 Sep 2023 19:59 WIB");
  });

  test("labels the three newsroom zones", () => {
    assert.equal(formatIndonesianDate(instant, "Asia/Makassar"), "Rabu, 13 Sep 2023 20:59 WITA");
    assert.equal(formatIndonesianDate(instant, "Asia/Jayapura"), "Rabu, 13 Sep 2023 21:59 WIT");
    assert.equal(formatIndonesianDate(instant, "Asia/Pontianak"), "Rabu, 13 Sep 2023 19:59 WIB");
  });

  test("labels aliases and differently cased zone names by their canonical zone", () => {
    assert.equal(formatIndonesianDate(instant, "Asia/Ujung_Pandang"), "Rabu, 13 Sep 2023 20:59 WITA");
    assert.equal(formatIndonesianDate(instant, "asia/jakarta"), "Rabu, 13 Sep 2023 19:59 WIB");
  });

  test("pads the day and uses 24-hour time", () => {
    assert.equal(formatIndonesianDate(new Date("2023-10-01T17:00:00Z")), "Senin, 02 Okt 2023 00:00 WIB");
    assert.equal(formatIndonesianDate(new Date("2023-10-02T16:05:00Z")), "Senin, 02 Okt 2023 23:05 WIB");
  });

  test("round-trips every month", () => {
    const months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];
    months.forEach((abbr, m) => {
      const original = new Date(Date.UTC(2024, m, 9, 1, 7));
      for (const zone of ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]) {
        const text = formatIndonesianDate(original, zone);
        assert.match(text, new RegExp(`^\\S+, 09 ${abbr} 2024 \\d\\d:07 (WIB|WITA|WIT)$`), text);
        assert.deepEqual(parseIndonesianDate(text), { instant: original, timeZone: zone }, text);
      }
    });
  });

  test("round-trips every day name", () => {
    const week = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
    for (let k = 0; k < 7; k++) {
      // 10 Sep 2023 was a Sunday; 23:30 WIT is still that day locally but the previous one in UTC.
      const original = new Date(Date.UTC(2023, 8, 10 + k, 14, 30));
      const text = formatIndonesianDate(original, "Asia/Jayapura");
      assert.equal(text, `${week[k]}, ${10 + k} Sep 2023 23:30 WIT`);
      assert.deepEqual(parseIndonesianDate(text), { instant: original, timeZone: "Asia/Jayapura" });
    }
  });

  test("labels UTC and other zones with a GMT offset", () => {
    assert.equal(formatIndonesianDate(instant, "UTC"), "Rabu, 13 Sep 2023 12:59 UTC");
    assert.equal(formatIndonesianDate(instant, "Etc/UTC"), "Rabu, 13 Sep 2023 12:59 UTC");
    assert.equal(formatIndonesianDate(new Date("2023-01-13T12:59:00Z"), "Europe/Berlin"), "Jumat, 13 Jan 2023 13:59 GMT+1");
    assert.equal(formatIndonesianDate(instant, "Europe/Berlin"), "Rabu, 13 Sep 2023 14:59 GMT+2");
    assert.equal(formatIndonesianDate(instant, "America/New_York"), "Rabu, 13 Sep 2023 08:59 GMT-4");
    assert.equal(formatIndonesianDate(instant, "Asia/Kolkata"), "Rabu, 13 Sep 2023 18:29 GMT+5:30");
    assert.equal(formatIndonesianDate(new Date("2023-01-13T12:59:00Z"), "Europe/London"), "Jumat, 13 Jan 2023 12:59 GMT");
  });

  test("throws RangeError for an invalid date or zone", () => {
    assert.throws(() => formatIndonesianDate(new Date(Number.NaN)), RangeError);
    assert.throws(() => formatIndonesianDate(instant, "Mars/Olympus"), { name: "RangeError", message: /Mars\/Olympus/ });
    assert.throws(() => formatIndonesianDate(instant, "WIB"), RangeError);
  });

  test("is stable across repeated calls (formatter cache)", () => {
    const first = formatIndonesianDate(instant, "Asia/Makassar");
    for (let k = 0; k < 1000; k++) assert.equal(formatIndonesianDate(instant, "Asia/Makassar"), first);
  });
});

describe("isValidTimeZone", () => {
  test("accepts IANA zones and rejects everything else", () => {
    for (const tz of ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"]) {
      assert.equal(isValidTimeZone(tz), true, tz);
    }
    for (const tz of ["", "WIB", "Mars/Olympus", "Asia/Jakarta ", "x".repeat(100)]) {
      assert.equal(isValidTimeZone(tz), false, tz);
    }
    assert.equal(isValidTimeZone(42 as unknown as string), false);
  });
});

describe("formatArticleDate", () => {
  const instant = new Date("2023-09-13T12:59:00.000Z");

  test("defaults to Indonesian in Jakarta", () => {
    assert.equal(formatArticleDate(instant), "Rabu, 13 Sep 2023 19:59 WIB");
    assert.equal(formatArticleDate(instant, { locale: "id" }), "Rabu, 13 Sep 2023 19:59 WIB");
  });

  test("formats English day and month names with the same zone labels", () => {
    assert.equal(formatArticleDate(instant, { locale: "en" }), "Wednesday, 13 Sep 2023 19:59 WIB");
    assert.equal(formatArticleDate(instant, { locale: "en", timeZone: "Asia/Makassar" }), "Wednesday, 13 Sep 2023 20:59 WITA");
    assert.equal(formatArticleDate(new Date("2023-08-18T03:00:00Z"), { locale: "en", timeZone: "Asia/Jayapura" }), "Friday, 18 Aug 2023 12:00 WIT");
    assert.equal(formatArticleDate(new Date("2023-05-05T03:00:00Z"), { locale: "en", timeZone: "UTC" }), "Friday, 05 May 2023 03:00 UTC");
    assert.equal(formatArticleDate(new Date("2023-10-05T03:00:00Z"), { locale: "id" }), "Kamis, 05 Okt 2023 10:00 WIB");
    assert.equal(formatArticleDate(new Date("2023-12-05T03:00:00Z"), { locale: "en" }), "Tuesday, 05 Dec 2023 10:00 WIB");
  });

  test("accepts region subtags and case variants", () => {
    assert.equal(formatArticleDate(instant, { locale: "en-US" }), "Wednesday, 13 Sep 2023 19:59 WIB");
    assert.equal(formatArticleDate(instant, { locale: "ID-id" }), "Rabu, 13 Sep 2023 19:59 WIB");
  });

  test("rejects unknown locales with a RangeError naming the supported ones", () => {
    for (const locale of ["fr", "de-DE", "", "not a locale", "zz"]) {
      assert.throws(() => formatArticleDate(instant, { locale }), (err: unknown) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, /Unsupported locale/);
        assert.match(err.message, /"id", "en"/);
        return true;
      }, locale);
    }
  });

  test("rejects an unknown zone with a RangeError", () => {
    assert.throws(() => formatArticleDate(instant, { timeZone: "Nowhere/Land" }), RangeError);
  });
});
