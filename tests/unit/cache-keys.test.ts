import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatKeyHeader } from "../../src/cache/cache-keys";

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
