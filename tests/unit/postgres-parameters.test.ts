import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { types } from "pg";
import { CompiledSqlCache, compileNamedParameters, valuesOf } from "../../src/db/named-parameters";
import { parseUtcTimestamp } from "../../src/db/read-pool.postgres";

describe("read statements: named parameters", () => {
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

  it("gives SQLite one ? per appearance, bound in order, and writes numbers into the text as TypeORM does", () => {
    const params = { ids: [4, 9], now: "t", limit: 21 };
    const { text, paths } = compileNamedParameters("SELECT * FROM a WHERE a.id IN (:...ids) AND a.live_at <= :now AND a.created_at <= :now LIMIT :limit", params, "anonymous");
    assert.equal(text, "SELECT * FROM a WHERE a.id IN (?, ?) AND a.live_at <= ? AND a.created_at <= ? LIMIT 21");
    assert.deepEqual(valuesOf(paths, params), [4, 9, "t", "t"]);
    const cache = new CompiledSqlCache(10, (sql, p) => compileNamedParameters(sql, p, "anonymous"), true);
    assert.equal(cache.get("SELECT 1 LIMIT :limit", { limit: 21 }).text, "SELECT 1 LIMIT 21");
    assert.equal(cache.get("SELECT 1 LIMIT :limit", { limit: 6 }).text, "SELECT 1 LIMIT 6");
  });

  it("compiles a statement once per shape: which parameters exist and each list's length", () => {
    let compiled = 0;
    const cache = new CompiledSqlCache(10, (sql, params) => (compiled++, compileNamedParameters(sql, params)));
    const sql = "SELECT * FROM a WHERE a.id IN (:...ids) AND a.slug = :slug";
    assert.equal(cache.get(sql, { ids: [1, 2], slug: "x" }).text, "SELECT * FROM a WHERE a.id IN ($1, $2) AND a.slug = $3");
    assert.equal(cache.get(sql, { ids: [7, 8], slug: "y" }).text, "SELECT * FROM a WHERE a.id IN ($1, $2) AND a.slug = $3");
    assert.equal(compiled, 1);
    assert.equal(cache.get(sql, { ids: [1, 2, 3], slug: "x" }).text, "SELECT * FROM a WHERE a.id IN ($1, $2, $3) AND a.slug = $4");
    assert.equal(cache.get(sql, { ids: [1] }).text, "SELECT * FROM a WHERE a.id IN ($1) AND a.slug = :slug");
    assert.equal(compiled, 3);
  });
});

describe("PostgreSQL read statements: timestamps", () => {
  const pgDefault = types.getTypeParser(1184, "text") as (text: string) => Date;

  it("reads every form a UTC session prints as pg's own parser does", () => {
    const samples = [
      "2023-09-13 12:59:00+00",
      "2023-09-13 12:59:00.1+00",
      "2023-09-13 12:59:00.12+00",
      "2023-09-13 12:59:00.123+00",
      "2023-09-13 12:59:00.123456+00",
      "2023-09-13 12:59:00.999999+00",
      "2024-02-29 23:59:59.5+00",
      "1970-01-01 00:00:00+00",
    ];
    for (const text of samples) assert.equal(parseUtcTimestamp(text).getTime(), pgDefault(text).getTime(), text);
  });

  it("hands other zones, early years, BC and infinity to pg's parser", () => {
    for (const text of ["2023-09-13 19:59:00+07", "2023-09-13 17:29:00+05:30", "0099-01-01 00:00:00+00", "2000-01-01 00:00:00+00 BC", "infinity"]) {
      const ours = parseUtcTimestamp(text);
      const theirs = pgDefault(text);
      assert.equal(ours instanceof Date ? ours.getTime() : ours, theirs instanceof Date ? theirs.getTime() : theirs, text);
    }
  });
});
