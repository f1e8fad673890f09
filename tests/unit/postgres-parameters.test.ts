import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileNamedParameters } from "../../src/db/read-pool.postgres";

describe("PostgreSQL read statements: named parameters", () => {
  it("numbers each name once and expands a list into one placeholder per item", () => {
    const { text, paths } = compileNamedParameters("SELECT * FROM a WHERE a.id IN (:...ids) AND a.live_at <= :now AND a.created_at <= :now", { ids: [4, 9], now: "t" });
    assert.equal(text, "SELECT * FROM a WHERE a.id IN ($1, $2) AND a.live_at <= $3 AND a.created_at <= $3");
    assert.deepEqual(paths, [["ids", 0], ["ids", 1], ["now", -1]]);
  });

  it("leaves casts and names that are not parameters alone", () => {
    const { text, paths } = compileNamedParameters("SELECT x::text, ':kept' FROM a WHERE a.slug = :slug AND b = :other", { slug: "s" });
    assert.equal(text, "SELECT x::text, ':kept' FROM a WHERE a.slug = $1 AND b = :other");
    assert.deepEqual(paths, [["slug", -1]]);
  });
});
