import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { after, before, describe, test } from "node:test";
import { VerdictCache, VERDICT_CACHE_MAX_BYTES, VERDICT_CACHE_MAX_ENTRIES } from "../../src/graphql/verdict-cache";
import { assertStillServes, postJson } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

describe("cost-verdict cache", () => {
  test("is bounded by entries and by bytes, dropping the least recently used", () => {
    const cache = new VerdictCache({ maxEntries: 50, maxBytes: 64 * 1024 });
    for (let i = 0; i < 10_000; i++) cache.set(VerdictCache.keyOf(`hash${i}`, `Q${i}`, { i }), null);
    assert.equal(cache.size, 50);
    assert.ok(cache.bytes <= 64 * 1024);
    const hot = VerdictCache.keyOf("hot", "Hot", {});
    cache.set(hot, null);
    const refusal = { message: "query depth 12 exceeds the limit of 10".repeat(50), extensions: { code: "QUERY_TOO_COMPLEX" } };
    for (let i = 0; i < 10_000; i++) {
      cache.get(hot); // kept warm: the least recently used go first
      cache.set(VerdictCache.keyOf(`big${i}`, "", { i }), refusal);
    }
    assert.ok(cache.bytes <= 64 * 1024, `bytes ${cache.bytes}`);
    assert.ok(cache.size < 50, "the byte bound bites before the entry bound with large verdicts");
    assert.equal(cache.get(hot), null, "a verdict in use stays");
    assert.equal(cache.get(VerdictCache.keyOf("big0", "", { i: 0 })), undefined, "an old one is gone");
  });

  describe("over HTTP", () => {
    let server: TestServer;
    const cache = new VerdictCache();

    before(async () => {
      // The response cache would keep its own (bounded) copies; this test is about the verdicts.
      server = await startTestServer({ env: { RESPONSE_CACHE: "off" }, app: { verdictCache: cache } });
    });
    after(() => server.close());

    test("distinct documents with large unused variables leave no lasting memory behind", async () => {
      const pad = "x".repeat(80_000);
      const send = (i: number) => postJson(server, { query: `query Distinct${i} { __typename }`, variables: { pad: `${pad}${i}` } });
      await send(-1);
      const before = await heapAfterGc();
      for (let i = 0; i < 300; i++) {
        const response = await send(i);
        assert.equal(response.status, 200, response.text);
      }
      const grown = (await heapAfterGc()) - before;
      // 300 × 80 KB = 24 MB if the variables were kept in the keys.
      assert.ok(grown < 8 * 1024 * 1024, `heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB`);
      assert.ok(cache.size <= VERDICT_CACHE_MAX_ENTRIES && cache.bytes <= VERDICT_CACHE_MAX_BYTES, `${cache.size} entries, ${cache.bytes} bytes`);
      await assertStillServes(server);
    });

    test("verdicts are still remembered: a refused document is refused again from the cache", async () => {
      const deep = "{ articles(first: 1) { nodes { author { articles(first: 1) { nodes { author { articles(first: 1) { nodes { author { articles(first: 1) { nodes { slug } } } } } } } } } } } }";
      const sizeBefore = cache.size;
      const first = await postJson(server, { query: deep, variables: { a: 1 } });
      assert.equal(first.json.errors[0].extensions.code, "QUERY_TOO_COMPLEX");
      assert.equal(cache.size, sizeBefore + 1);
      const again = await postJson(server, { query: deep, variables: { a: 1 } });
      assert.equal(again.status, 400);
      assert.equal(again.json.errors[0].extensions.code, "QUERY_TOO_COMPLEX");
      assert.equal(again.json.errors[0].extensions.actual, first.json.errors[0].extensions.actual);
      assert.equal(cache.size, sizeBefore + 1, "the second request was answered from the cache");
    });
  });
});
