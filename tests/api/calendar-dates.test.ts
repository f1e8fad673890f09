import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { makeArticle, makeAuthor } from "../support/factories";
import { bearer, fingerprint, Role } from "../support/editorial";
import { ENGINES, engineSkip, startOn } from "../support/engines";
import type { TestServer } from "../support/server";

const PUBLISH = `mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { id publishedAt } }`;

for (const engine of ENGINES) {
  describe(`calendar dates (${engine})`, async () => {
    const skip = await engineSkip(engine);
    let server: TestServer;
    let editor: Record<string, string>;
    let articleId: string;

    before(async () => {
      if (skip) return;
      server = await startOn(engine);
      editor = (await bearer(server, Role.EDITOR)).headers;
      const article = await makeArticle(server.dataSource, { author: await makeAuthor(server.dataSource), status: "draft", publishedAt: null });
      articleId = String(article.id);
    });
    after(() => server?.close());

    test("impossible calendar dates are refused with BAD_USER_INPUT and change nothing", { skip }, async () => {
      const before = await fingerprint(server);
      const impossible = [
        "2023-02-30T10:00:00Z",
        "2023-02-29T10:00:00Z", // not a leap year
        "1900-02-29T00:00:00Z", // divisible by 100, not by 400
        "2023-04-31T00:00:00Z",
        "2023-13-01T00:00:00Z",
        "2023-00-10T00:00:00Z",
        "2023-01-00T00:00:00Z",
        "2023-01-01T24:00:00Z",
        "2023-01-01T23:60:00Z",
        "2023-01-01T23:59:60Z",
        "2023-01-01T10:00:00+24:00",
        "2023-01-01T10:00:00+05:60",
        "0000-06-01T00:00:00Z", // year 0 does not exist in the calendar we store
        "0001-01-01T00:30:00+01:00", // year 0 in UTC
      ];
      for (const at of impossible) {
        const viaVariable = await server.gql(PUBLISH, { id: articleId, at }, editor);
        assert.equal(viaVariable.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", `${at}: ${JSON.stringify(viaVariable.body)}`);
        const inline = await server.gql(`mutation { publishArticle(id: "${articleId}", at: "${at}") { id } }`, {}, editor);
        assert.match(viaVariable.body.errors[0].message, /is not a real date/, at);
        // A literal in the document fails validation, before anything runs.
        assert.equal(inline.status, 400, `${at} inline: ${JSON.stringify(inline.body)}`);
        assert.equal(inline.body.errors?.[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED", at);
        assert.match(inline.body.errors[0].message, /is not a real date/, at);
      }
      assert.equal(await fingerprint(server), before, "nothing was written");
    });

    test("years 1 to 9999 are stored and read back exactly, on every read path", { skip }, async () => {
      const instants = [
        ["0050-06-01T00:00:00Z", "0050-06-01T00:00:00.000Z"],
        ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
        ["0099-12-31T23:59:59.999Z", "0099-12-31T23:59:59.999Z"],
        ["0100-03-01T12:00:00+07:00", "0100-03-01T05:00:00.000Z"],
        ["2024-02-29T10:00:00Z", "2024-02-29T10:00:00.000Z"],
        ["2000-02-29T10:00:00.5Z", "2000-02-29T10:00:00.500Z"],
        ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
      ];
      // A server far from UTC: node-pg used to write local time with whole-minute offsets, which
      // loses the seconds of a local-mean-time era (Jakarta before 1924 was +07:07:12).
      const zone = process.env.TZ;
      process.env.TZ = "Asia/Jakarta";
      try {
        for (const [at, expected] of instants) {
          const published = await server.gql(PUBLISH, { id: articleId, at }, editor);
          assert.equal(published.body.errors, undefined, `${at}: ${JSON.stringify(published.body.errors)}`);
          assert.equal(published.body.data.publishArticle.publishedAt, expected, `${at} as the mutation returns it`);
          // The loaders' raw rows (rows.ts) and the entity path (revisions/writes) both read it.
          const read = await server.gql(`query($id: ID!) { article(id: $id) { publishedAt } articles(first: 1, orderBy: PUBLISHED_AT_ASC) { nodes { publishedAt } } }`, { id: articleId }, editor);
          assert.equal(read.body.errors, undefined, JSON.stringify(read.body.errors));
          assert.equal(read.body.data.article.publishedAt, expected, `${at} read by id`);
          assert.equal(read.body.data.articles.nodes[0].publishedAt, expected, `${at} read in a list`);
          const [row] = await server.dataSource.query(server.dataSource.options.type === "postgres" ? `SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS v FROM articles WHERE id = $1` : `SELECT published_at AS v FROM articles WHERE id = ?`, [Number(articleId)]);
          assert.equal(String(row.v).slice(0, 23), expected.replace("T", " ").slice(0, 23), `${at} as stored`);
        }
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
    });
  });
}
