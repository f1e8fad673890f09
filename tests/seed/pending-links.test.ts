import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { bearer, Role } from "../support/editorial";
import { runSeed, runSeedReport, samplePage, tempDbFile, tempDir, withDatabase, writePage } from "../support/seed-cli";
import { startTestServer } from "../support/server";

const LISTED = { title: "Harga cabai di Ambon naik dua kali lipat", date: "Senin, 05 Feb 2024 10:30 WIT", instant: "2024-02-05T01:30:00.000Z" };
const SOURCE = { title: "Pedagang pasar Mardika keluhkan pasokan cabai", date: "Selasa, 06 Feb 2024 09:00 WIT", slug: "pedagang-pasar-mardika-keluhkan-pasokan-cabai" };

const RELATED = `query ($slug: String!) { article(slug: $slug) { updatedAt related(first: 5) { reason article { slug } } } }`;
const picksIn = (res: { body: { data?: any } }) =>
  res.body.data.article.related.filter((r: { reason: string }) => r.reason === "EDITOR_PICK").map((r: { article: { slug: string } }) => r.article.slug);

describe("seed command: Berita Lainnya entries kept until their article arrives", () => {
  test("an entry kept by a seed run is linked when the API publishes an article with its title at its instant", async () => {
    const dir = tempDir("pending-api");
    writePage(dir, "source.txt", samplePage({ title: SOURCE.title, date: SOURCE.date, related: [LISTED] }), { tags: ["Ekonomi"] });
    const dbFile = tempDbFile("pending-api");
    const run = await runSeedReport(dbFile, [dir]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.report.unresolvedRelated.map((u) => u.title), [LISTED.title]);

    const server = await startTestServer({ dbFile });
    try {
      const editor = (await bearer(server, Role.EDITOR)).headers;
      const before = await server.gql(RELATED, { slug: SOURCE.slug });
      assert.deepEqual(picksIn(before), []);

      const create = (title: string) =>
        server.gql(`mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id slug } }`, {
          input: { title, lead: "Lead.", body: "Isi.", authorSlug: "arpan-rachman", tagSlugs: [] },
        }, editor);
      const publish = (id: string, at?: string) => server.gql(`mutation ($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { status } }`, { id, at }, editor);

      // Same title, another instant: not the article the page named.
      const other = (await create(LISTED.title)).body.data.createArticle;
      assert.equal((await publish(other.id)).body.errors, undefined);
      assert.deepEqual(picksIn(await server.gql(RELATED, { slug: SOURCE.slug })), []);

      // Typed differently, published at the listed instant: it is the one.
      const created = await create(`  ${LISTED.title.toUpperCase()}`);
      assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
      const target = created.body.data.createArticle;
      assert.deepEqual(picksIn(await server.gql(RELATED, { slug: SOURCE.slug })), [], "a draft has no instant yet");
      const published = await publish(target.id, LISTED.instant);
      assert.equal(published.body.errors, undefined, JSON.stringify(published.body.errors));

      const after = await server.gql(RELATED, { slug: SOURCE.slug });
      assert.deepEqual(picksIn(after), [target.slug]);
      assert.notEqual(after.body.data.article.updatedAt, before.body.data.article.updatedAt, "the source's related list moved, so did its updatedAt");
      const [{ n }] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM article_pending_links`);
      assert.equal(Number(n), 0, "the entry is linked, no longer waiting");
    } finally {
      await server.close();
    }

    // The page is the source of truth again on the next run: the link stays, nothing changes.
    const again = await runSeedReport(dbFile, [dir]);
    assert.deepEqual([again.report.created, again.report.updated, again.report.unchanged], [0, 0, 1]);
  });

  test("the summary says how many earlier entries a run linked", async () => {
    const dir = tempDir("pending-summary");
    const source = writePage(dir, "source.txt", samplePage({ title: SOURCE.title, date: SOURCE.date, related: [LISTED] }), { tags: ["Ekonomi"] });
    const listed = writePage(dir, "listed.txt", samplePage({ title: LISTED.title, date: LISTED.date, related: [] }), { tags: ["Ekonomi"] });
    const dbFile = tempDbFile("pending-summary");
    assert.equal((await runSeed(dbFile, [source])).status, 0);

    const dry = await runSeed(dbFile, ["--dry-run", listed]);
    assert.match(dry.stdout, /^would resolve 1 related link left open by earlier runs:$/m);
    await withDatabase(dbFile, async (ds) => assert.equal(Number((await ds.query(`SELECT COUNT(*) AS n FROM article_related`))[0].n), 0, "a dry run links nothing"));

    const run = await runSeed(dbFile, [listed]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^resolved 1 related link left open by earlier runs:$/m);
    assert.match(run.stdout, new RegExp(`^  ${SOURCE.slug} → "${LISTED.title}" \\(${LISTED.date}\\), by .*listed\\.txt$`, "m"));
  });
});

describe("seed command: pages without a sidecar", () => {
  test("are imported, counted and named in a warning; a manifest entry counts as a sidecar", async () => {
    const dir = tempDir("no-sidecar");
    writePage(dir, "with-sidecar.txt", samplePage({ title: "Dengan sidecar" }), { tags: ["Politik"] });
    writePage(dir, "in-manifest.txt", samplePage({ title: "Dalam manifes" }));
    fs.writeFileSync(path.join(dir, "_manifest.json"), JSON.stringify({ "in-manifest.txt": { tags: ["Hukum"] } }));
    const bare = writePage(dir, "tanpa-sidecar.txt", samplePage({ title: "Tanpa sidecar" }));
    const alsoBare = writePage(dir, "juga-tanpa.txt", samplePage({ title: "Juga tanpa sidecar" }));

    const json = await runSeedReport(tempDbFile("no-sidecar-json"), [dir]);
    assert.equal(json.status, 0, "a warning, not a failure");
    assert.equal(json.report.created, 4);
    assert.deepEqual(json.report.withoutSidecar.map((p) => path.basename(p)).sort(), [path.basename(alsoBare), path.basename(bare)].sort());

    const text = await runSeed(tempDbFile("no-sidecar-text"), [dir]);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /^warning: 2 pages imported without a sidecar \(no tags, no featured image; .*\):$/m);
    assert.match(text.stdout, /^ {2}.*tanpa-sidecar\.txt$/m);
    assert.match(text.stdout, /^ {2}.*juga-tanpa\.txt$/m);
    assert.doesNotMatch(text.stdout, /^ {2}.*(with-sidecar|in-manifest)\.txt$/m);
  });
});
