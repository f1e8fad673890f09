import assert from "node:assert/strict";
import { it } from "node:test";
import { toDate } from "../../src/db/dialect";

it("reads stored SQLite timestamps as UTC instants, with and without milliseconds", () => {
  assert.equal(toDate("2023-09-13 12:59:00.000")!.toISOString(), "2023-09-13T12:59:00.000Z");
  assert.equal(toDate("2023-09-13 12:59:07")!.toISOString(), "2023-09-13T12:59:07.000Z");
  assert.equal(toDate("2024-02-29 23:59:59.999")!.toISOString(), "2024-02-29T23:59:59.999Z");
  assert.equal(toDate("2023-09-13T12:59:00.000Z")!.toISOString(), "2023-09-13T12:59:00.000Z");
  const date = new Date();
  assert.equal(toDate(date), date);
  assert.equal(toDate(null), null);
  for (let ms = Date.UTC(2020, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 86_399_123) {
    const iso = new Date(ms).toISOString();
    assert.equal(toDate(iso.replace("T", " ").replace("Z", ""))!.toISOString(), iso);
  }
});

it("reads years 1 to 99 as written, not as 1901 to 1999", () => {
  assert.equal(toDate("0050-06-01 00:00:00.000")!.toISOString(), "0050-06-01T00:00:00.000Z");
  assert.equal(toDate("0004-02-29 23:59:59")!.toISOString(), "0004-02-29T23:59:59.000Z");
  assert.equal(toDate("0001-01-01 00:00:00.000")!.toISOString(), "0001-01-01T00:00:00.000Z");
  assert.equal(toDate("0100-01-01 00:00:00.000")!.toISOString(), "0100-01-01T00:00:00.000Z");
});
