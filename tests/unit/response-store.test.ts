import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { LocalResponseStore, type CachedResponse } from "../../src/cache/response-store";

const answer = (slug: string, keys: string[]): CachedResponse => ({ data: { article: { slug } }, keys, storedAt: Date.now() });

describe("the in-process response store", () => {
  it("drops an answer at its expiry instead of holding it until the byte budget needs room", async () => {
    const store = new LocalResponseStore(64 * 1024 * 1024);
    try {
      const { ticket } = await store.lookup("short");
      assert.equal(await store.store("short", answer("a", ["article:1"]), 1, ticket), true);
      assert.equal(await store.store("long", answer("b", ["article:2"]), 60, ticket), true);
      assert.equal(store.size(), 2);
      await sleep(1_300);
      assert.equal(store.size(), 1, "the expired answer still takes memory");
      assert.equal((await store.lookup("short")).entry, undefined);
      assert.equal((await store.lookup("long")).entry?.data.article !== undefined, true);
    } finally {
      store.close();
    }
  });

  it("drops exactly the answers holding an invalidated key", async () => {
    const store = new LocalResponseStore(64 * 1024 * 1024);
    try {
      const { ticket } = await store.lookup("page");
      await store.store("page-1", answer("a", ["article:1", "articles"]), 60, ticket);
      await store.store("page-2", answer("b", ["article:2"]), 60, ticket);
      await store.invalidate(["article:1"]);
      assert.equal((await store.lookup("page-1")).entry, undefined);
      assert.notEqual((await store.lookup("page-2")).entry, undefined);
      // A request that looked up before the invalidation must not put its older answer back.
      assert.equal(await store.store("page-1", answer("a", ["article:1"]), 60, ticket), false);
    } finally {
      store.close();
    }
  });
});
