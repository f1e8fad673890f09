import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, Role } from "../support/editorial";
import { ENGINES, engineSkip, startOn } from "../support/engines";
import type { TestServer } from "../support/server";

/**
 * What the public can observe about tags depends only on live articles (published, not
 * deleted, publishedAt come): neither a draft, a scheduled article nor a deleted one changes
 * a related score, and a tag that only such articles carry does not exist for the public.
 */
const HOUR = 3_600_000;
const RELATED = `query($slug: String!) { article(slug: $slug) { related(first: 10) { score reason article { slug } } } }`;
const TAGS = `query($slug: String!, $id: ID!) {
  bySlug: tag(slug: $slug) { slug articleCount }
  byId: tag(id: $id) { slug }
  byName: tags(first: 100) { totalCount nodes { slug articleCount } }
  byCount: tags(first: 100, orderBy: ARTICLE_COUNT_DESC) { totalCount nodes { slug } }
}`;

for (const engine of ENGINES) {
  describe(`tags and related scores see live articles only (${engine})`, async () => {
    const skip = await engineSkip(engine);
    let server: TestServer;
    let editor: Record<string, string>;
    let contributor: Record<string, string>;

    before(async () => {
      if (skip) return;
      // Cached responses would hide a change; this test is about what the database answers.
      server = await startOn(engine, { env: { RESPONSE_CACHE: "off" } });
      editor = (await bearer(server, Role.EDITOR)).headers;
      const ds = server.dataSource;
      const author = await makeAuthor(ds, { slug: "penulis" });
      await makeAuthor(ds, { slug: "kontributor" });
      contributor = (await bearer(server, Role.CONTRIBUTOR, "kontributor")).headers;
      const [niche, popular] = [await makeTag(ds, { slug: "niche" }), await makeTag(ds, { slug: "popular" })];
      const past = (hours: number) => new Date(Date.now() - hours * HOUR);
      await makeArticle(ds, { author, slug: "source", tags: [niche, popular], publishedAt: past(10) });
      await makeArticle(ds, { author, slug: "shares-niche", tags: [niche], publishedAt: past(9) });
      await makeArticle(ds, { author, slug: "shares-popular-1", tags: [popular], publishedAt: past(8) });
      await makeArticle(ds, { author, slug: "shares-popular-2", tags: [popular], publishedAt: past(7) });
    });
    after(() => server?.close());

    const related = async () => {
      const response = await server.gql(RELATED, { slug: "source" });
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      return response.body.data.article.related as { score: number; article: { slug: string } }[];
    };

    test("saving a draft, scheduling or deleting an article with the same tags changes no public related score", { skip }, async () => {
      const baseline = await related();
      assert.deepEqual(
        baseline.map((r) => r.article.slug),
        ["shares-niche", "shares-popular-2", "shares-popular-1"],
      );
      assert.equal(baseline[0].score, 0.5, "niche is carried by 2 live articles");
      assert.equal(baseline[1].score, 1 / 3, "popular by 3");

      const create = `mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }`;
      const draft = await server.gql(create, { input: { title: "Draf", lead: "L.", body: "B.", authorSlug: "penulis", tagSlugs: ["niche", "popular"] } }, editor);
      assert.equal(draft.body.errors, undefined, JSON.stringify(draft.body.errors));
      assert.deepEqual(await related(), baseline, "a draft");

      const scheduled = await server.gql(create, { input: { title: "Terjadwal", lead: "L.", body: "B.", authorSlug: "penulis", tagSlugs: ["niche", "popular"] } }, editor);
      const scheduledId = scheduled.body.data.createArticle.id;
      const at = new Date(server.clock.now().getTime() + HOUR).toISOString();
      const scheduling = await server.gql(`mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { id } }`, { id: scheduledId, at }, editor);
      assert.equal(scheduling.body.errors, undefined, JSON.stringify(scheduling.body.errors));
      assert.deepEqual(await related(), baseline, "a scheduled article");

      const gone = await makeArticle(server.dataSource, { author: await makeAuthor(server.dataSource), tags: [], publishedAt: new Date(Date.now() - HOUR) });
      await server.gql(`mutation($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id } }`, { id: String(gone.id), input: { tagSlugs: ["niche"] } }, editor);
      await server.gql(`mutation($id: ID!) { deleteArticle(id: $id) { id } }`, { id: String(gone.id) }, editor);
      assert.deepEqual(await related(), baseline, "a deleted article");

      // The control: once the scheduled article's instant comes, it is live and weighs in.
      server.clock.advance(2 * HOUR);
      const live = await related();
      assert.equal(live.find((r) => r.article.slug === "shares-niche")!.score, 1 / 3, "niche now has 3 live articles");
      assert.ok(live.some((r) => r.article.slug === "terjadwal"));
    });

    test("a tag carried only by a draft is hidden from the public, in tag(slug), tag(id), tags and totalCount", { skip }, async () => {
      const create = await server.gql(
        `mutation($input: CreateArticleInput!) { createArticle(input: $input) { id tags { id slug } } }`,
        { input: { title: "Rahasia", lead: "L.", body: "B.", authorSlug: "penulis", tagSlugs: ["rahasia-baru"] } },
        editor,
      );
      assert.equal(create.body.errors, undefined, JSON.stringify(create.body.errors));
      const { id: articleId, tags } = create.body.data.createArticle;
      const variables = { slug: "rahasia-baru", id: tags[0].id };
      const emptyTag = await server.gql(`mutation { createTag(input: { name: "Kosong" }) { id slug } }`, {}, editor);
      assert.equal(emptyTag.body.errors, undefined, JSON.stringify(emptyTag.body.errors));

      const seen = async (headers: Record<string, string> = {}) => {
        const response = await server.gql(TAGS, variables, headers);
        assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
        const data = response.body.data;
        const listed = data.byName.nodes.map((n: { slug: string }) => n.slug);
        assert.deepEqual([...data.byCount.nodes.map((n: { slug: string }) => n.slug)].sort(), [...listed].sort(), "both orders list the same tags");
        assert.equal(data.byName.totalCount, listed.length, "totalCount counts what is listed");
        assert.equal(data.byCount.totalCount, listed.length);
        return { bySlug: data.bySlug, byId: data.byId, listed };
      };

      const anonymous = await seen();
      assert.equal(anonymous.bySlug, null);
      assert.equal(anonymous.byId, null);
      assert.deepEqual(anonymous.listed.sort(), ["niche", "popular"], "neither the draft's tag nor an empty one");

      const asEditor = await seen(editor);
      assert.deepEqual(asEditor.bySlug, { slug: "rahasia-baru", articleCount: 1 });
      assert.equal(asEditor.byId.slug, "rahasia-baru");
      assert.deepEqual(asEditor.listed.sort(), ["kosong", "niche", "popular", "rahasia-baru"]);

      const otherContributor = await seen(contributor);
      assert.equal(otherContributor.bySlug, null, "a contributor sees the tags of what they may read");
      assert.ok(!otherContributor.listed.includes("rahasia-baru"));

      // Scheduled: hidden until its instant; then public.
      const at = new Date(server.clock.now().getTime() + HOUR).toISOString();
      await server.gql(`mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { id } }`, { id: articleId, at }, editor);
      assert.equal((await seen()).bySlug, null, "scheduled");
      server.clock.advance(2 * HOUR);
      const afterInstant = await seen();
      assert.deepEqual(afterInstant.bySlug, { slug: "rahasia-baru", articleCount: 1 });
      assert.ok(afterInstant.listed.includes("rahasia-baru"));

      // Deleted: hidden again.
      await server.gql(`mutation($id: ID!) { deleteArticle(id: $id) { id } }`, { id: articleId }, editor);
      assert.equal((await seen()).bySlug, null, "deleted");
      assert.equal((await seen(editor)).bySlug.slug, "rahasia-baru", "editors still see it");
    });

    test("after all these writes, the trigger-kept live counts equal what they count", { skip }, async () => {
      const rows = await server.dataSource.query(`SELECT t.slug, t.live_count AS kept,
        (SELECT COUNT(*) FROM article_tags at WHERE at.tag_id = t.id AND at.live_at IS NOT NULL) AS counted FROM tags t ORDER BY t.slug`);
      assert.ok(rows.length >= 4);
      for (const row of rows) assert.equal(Number(row.kept), Number(row.counted), row.slug);
    });
  });
}
