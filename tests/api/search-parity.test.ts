import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { projectRoot } from "../../src/config";
import { importPages } from "../../src/import/importer";
import { generateSynthetic } from "../../src/tooling/synthetic";
import { onlyOn } from "../support/database";
import { startTestServer, type TestServer } from "../support/server";

/**
 * The same archive on SQLite (FTS5) and PostgreSQL (tsvector) must answer every search alike:
 * same hits, same order, same scores (both compute bm25 with the same weights and the same
 * floating-point steps), same totals and snippets. Runs in the PostgreSQL pass, which has both.
 */
const SEARCH = `query($q: String!, $orderBy: SearchOrder, $first: Int) {
  search(query: $q, orderBy: $orderBy, first: $first) { totalCount nodes { score snippet article { slug } } }
}`;

const FIXED_QUERIES = [
  "senjata", "putin kosmodrom", "rusia", "kim jong", '"kim jong"', '"kim jong"*', "senja*", "rus*", "nuklir OR rudal",
  "rusia -putin", "presiden", "amunisi korea", "rusia OR korea OR ukraina", '-"kim jong" rusia', "persenjataan", "PÉRSENJATAAN",
  "kerja sama", '"kerja sama"', "pem*", "a", "covid-19", "di",
];

describe("search parity between engines (SQLite and PostgreSQL)", onlyOn("postgres"), () => {
  let sqlite: TestServer;
  let postgres: TestServer;
  const queries = [...FIXED_QUERIES];

  before(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "content-api-parity-")), "content.sqlite");
    sqlite = await startTestServer({ databaseUrl: `sqlite:${file}` });
    postgres = await startTestServer();
    for (const server of [sqlite, postgres]) {
      const report = await importPages(server.dataSource, [path.join(projectRoot, "seeds")]);
      assert.equal(report.failed.length, 0);
      await generateSynthetic(server.dataSource, { articles: 300, authors: 20, tags: 40, seed: 11, now: new Date(Date.UTC(2024, 0, 1)) });
    }
    // Words of real and synthetic titles, alone and in pairs: common, rare and everything between.
    const titles = await sqlite.dataSource.query(`SELECT title FROM articles ORDER BY id`);
    const words = [...new Set(titles.flatMap((t: { title: string }) => t.title.toLowerCase().match(/\p{L}{3,}/gu) ?? []))] as string[];
    for (let i = 0; i < words.length && queries.length < 70; i += 11) queries.push(words[i], `${words[i]} ${words[(i * 13 + 5) % words.length]}`);
  });
  after(async () => {
    await sqlite?.close();
    await postgres?.close();
  });

  it("same hits, order, scores, totals and snippets for every query and both orders", async () => {
    let compared = 0;
    for (const q of queries) {
      for (const orderBy of ["RELEVANCE", "NEWEST"]) {
        const [a, b] = await Promise.all([sqlite, postgres].map((s) => s.gql(SEARCH, { q, orderBy, first: 30 })));
        const label = `${JSON.stringify(q)} ${orderBy}`;
        assert.equal(Boolean(b.body.errors), Boolean(a.body.errors), `${label}: ${JSON.stringify([a.body.errors, b.body.errors])}`);
        if (a.body.errors) {
          assert.equal(b.body.errors?.[0]?.extensions?.code, a.body.errors[0]?.extensions?.code, label);
          continue;
        }
        const [left, right] = [a.body.data.search, b.body.data.search];
        assert.equal(right.totalCount, left.totalCount, `${label}: totalCount`);
        assert.deepEqual(
          right.nodes.map((n: { article: { slug: string } }) => n.article.slug),
          left.nodes.map((n: { article: { slug: string } }) => n.article.slug),
          `${label}: hits and order`,
        );
        for (let i = 0; i < left.nodes.length; i++) {
          const [x, y] = [left.nodes[i].score, right.nodes[i].score];
          assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)), `${label}: score of hit ${i}: ${x} vs ${y}`);
          assert.equal(right.nodes[i].snippet, left.nodes[i].snippet, `${label}: snippet of hit ${i}`);
        }
        if (left.nodes.length > 0) compared += 1;
      }
    }
    assert.ok(compared > 60, `only ${compared} searches had hits to compare`);
  });
});
