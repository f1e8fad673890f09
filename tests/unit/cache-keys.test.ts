import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatKeyHeader } from "../../src/cache/cache-keys";
import { articleChangeKeys } from "../../src/events/content-events";

const options = (maxBytes: number) => ({ name: "Surrogate-Key", separator: " ", maxBytes });

describe("the key header", () => {
  it("lists every key, sorted, when they fit", () => {
    assert.equal(formatKeyHeader(["tag:2", "article:10", "articles", "author:3"], options(256)), "article:10 articles author:3 tag:2");
  });

  it("collapses the largest group first, and only as far as needed", () => {
    const keys = ["articles", "author:1", ...Array.from({ length: 40 }, (_, i) => `article:${1000 + i}`), ...Array.from({ length: 8 }, (_, i) => `tag:${i}`)];
    const value = formatKeyHeader(keys, options(256));
    assert.ok(Buffer.byteLength(value) <= 256, value);
    assert.deepEqual(value.split(" "), ["article:all", "articles", "author:1", ...Array.from({ length: 8 }, (_, i) => `tag:${i}`)]);
  });

  it("replaces per-tag and per-author lists by `articles`, and entities by their kind key, until it fits", () => {
    const keys = [
      ...Array.from({ length: 30 }, (_, i) => `tag:${i}:articles`),
      ...Array.from({ length: 30 }, (_, i) => `author:${i}:articles`),
      ...Array.from({ length: 30 }, (_, i) => `tag:${1000 + i}`),
      ...Array.from({ length: 30 }, (_, i) => `author:${i}`),
      ...Array.from({ length: 30 }, (_, i) => `article:${i}`),
    ];
    assert.deepEqual(formatKeyHeader(keys, options(256)).split(" "), ["article:all", "articles", "author:all", "tag:all"]);
  });

  it("uses the configured separator", () => {
    assert.equal(formatKeyHeader(["b", "a"], { name: "Cache-Tag", separator: ",", maxBytes: 256 }), "a,b");
  });
});

describe("the keys an article write makes stale", () => {
  const live = { id: 42, slug: "harga-beras", authorId: 3, tagIds: [7], status: "published", publishedAt: new Date("2026-01-01T00:00:00Z"), deletedAt: null };
  const now = new Date("2026-02-01T00:00:00Z");

  it("an edit of the lead names the article and search, not its card or any list", () => {
    assert.deepEqual(articleChangeKeys(live, live, { text: true, card: false }, now).sort(), ["article:42", "search"]);
  });

  it("an edit of what its card shows also names the card", () => {
    assert.deepEqual(articleChangeKeys(live, live, { text: true, card: true }, now).sort(), ["article:42", "article:42:card", "search"]);
  });

  it("a change of membership names the card and the lists, whatever the caller said of the card", () => {
    const retagged = { ...live, tagIds: [8] };
    assert.deepEqual(articleChangeKeys(live, retagged, { text: false, card: false }, now).sort(), [
      "article:42",
      "article:42:card",
      "articles",
      "author:3:articles",
      "search",
      "tag:7:articles",
      "tag:8:articles",
    ]);
  });

  it("a draft's edits name only the draft", () => {
    const draft = { ...live, status: "draft", publishedAt: null };
    assert.deepEqual(articleChangeKeys(draft, { ...draft, slug: "baru" }, { text: true, card: true }, now), ["article:42"]);
  });

  it("card keys collapse into the article kind key in a header past its limit", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `article:${i}:card`).concat(["articles"]);
    assert.deepEqual(formatKeyHeader(keys, { name: "Surrogate-Key", separator: " ", maxBytes: 64 }).split(" "), ["article:all", "articles"]);
  });
});
