import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { types } from "pg";
import { compileNamedParameters, parseUtcTimestamp } from "../../src/db/read-pool.postgres";

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
