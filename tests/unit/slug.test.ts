import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SLUG_PATTERN, slugify } from "../../src/lib/slug";

describe("slugify", () => {
  test("slugs the sample title", () => {
    assert.equal(
      slugify("Bertemu di pangkalan antariksa Rusia, Kim Jong-un dan Vladimir Putin bicarakan senjata"),
      "bertemu-di-pangkalan-antariksa-rusia-kim-jong-un-dan-vladimir-putin-bicarakan",
    );
  });

  test("removes apostrophes and quotes instead of splitting on them", () => {
    assert.equal(slugify("Jum'at"), "jumat");
    assert.equal(slugify("Jum\u2019at Keramat"), "jumat-keramat");
    assert.equal(slugify("Putin: \u201Csemua masalah\u201D"), "putin-semua-masalah");
    assert.equal(slugify("\u2018Don\u2019t\u2019 say \"no\""), "dont-say-no");
  });

  test("folds diacritics and letters NFKD leaves alone", () => {
    assert.equal(slugify("Café Déjà Vu à São Paulo"), "cafe-deja-vu-a-sao-paulo");
    assert.equal(slugify("Straße Øresund Łódź İstanbul"), "strasse-oresund-lodz-istanbul");
    assert.equal(slugify("ＦＵＬＬ ｗｉｄｔｈ ﬁle"), "full-width-file");
  });

  test("collapses runs of other characters into one hyphen and trims them", () => {
    assert.equal(slugify("  --Hello,   World!!--  "), "hello-world");
    assert.equal(slugify("Kosmodrom \u2013 tempat peluncuran"), "kosmodrom-tempat-peluncuran");
    assert.equal(slugify("Pengamat: Jokowi Semakin Condong ke Ganjar"), "pengamat-jokowi-semakin-condong-ke-ganjar");
    assert.equal(slugify("Selasa (12/9) 2023"), "selasa-12-9-2023");
    assert.equal(slugify("UPPER_case\tand\nlines"), "upper-case-and-lines");
  });

  test("returns an empty string when there is nothing to keep", () => {
    assert.equal(slugify(""), "");
    assert.equal(slugify("!!! — ×"), "");
    assert.equal(slugify("日本語"), "");
  });

  test("cuts at a word boundary within maxLength", () => {
    assert.equal(slugify("alpha beta gamma", 12), "alpha-beta");
    assert.equal(slugify("alpha beta gamma", 10), "alpha-beta");
    assert.equal(slugify("alpha beta gamma", 11), "alpha-beta");
    assert.equal(slugify("alpha beta gamma", 16), "alpha-beta-gamma");
    assert.equal(slugify("alpha beta gamma", 3), "alp"); // no boundary to fall back to
    assert.equal(slugify("supercalifragilistic", 5), "super");
  });

  test("rejects a non-positive maxLength", () => {
    assert.throws(() => slugify("x", 0), RangeError);
    assert.throws(() => slugify("x", 2.5), RangeError);
  });

  test("always matches SLUG_PATTERN and respects maxLength", () => {
    const inputs = [
      "Bertemu di pangkalan antariksa Rusia, Kim Jong-un dan Vladimir Putin bicarakan senjata",
      "\u201CRusia sedang memobilisasi produksi, namun outputnya tidak akan mampu memenuhi kebutuhan mereka,\u201D katanya.",
      "a-b--c---d",
      "Éé Ææ Œœ",
      "x".repeat(200),
    ];
    for (const input of inputs) {
      for (const max of [1, 5, 17, 40, 80, 500]) {
        const slug = slugify(input, max);
        assert.ok(slug.length <= max, `${slug} longer than ${max}`);
        assert.match(slug, SLUG_PATTERN);
      }
    }
  });
});

describe("SLUG_PATTERN", () => {
  test("accepts slugs and rejects the rest", () => {
    for (const ok of ["a", "abc-123", "jumat-keramat"]) assert.match(ok, SLUG_PATTERN);
    for (const bad of ["", "-a", "a-", "a--b", "A", "a b", "é"]) assert.doesNotMatch(bad, SLUG_PATTERN);
  });
});
