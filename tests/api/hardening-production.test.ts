import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getIntrospectionQuery } from "graphql";
import { assertStillServes, firstError, postJson, send } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

const TYPO = "{ articles { nodez { title } } }";

describe("production mode (NODE_ENV=production)", () => {
  let production: TestServer;
  let development: TestServer;
  before(async () => {
    production = await startTestServer({ env: { NODE_ENV: "production" } });
    development = await startTestServer();
  });
  after(async () => {
    await production.close();
    await development.close();
  });

  test("introspection is refused", async () => {
    for (const query of [getIntrospectionQuery(), "{ __schema { types { name } } }", '{ __type(name: "Article") { fields { name } } }']) {
      const response = await postJson(production, { query });
      assert.equal(response.status, 400, response.text);
      assert.equal(firstError(response).extensions?.code, "GRAPHQL_VALIDATION_FAILED");
      assert.equal(firstError(response).message, "introspection is disabled");
      assert.equal(response.json.data, undefined);
    }
    // Development keeps it for Sandbox and codegen.
    assert.ok((await postJson(development, { query: "{ __schema { queryType { name } } }" })).json.data.__schema);
    await assertStillServes(production);
  });

  test("no field suggestions in error messages", async () => {
    const prod = await postJson(production, { query: TYPO });
    assert.equal(prod.status, 400);
    assert.doesNotMatch(prod.text, /Did you mean/);
    const enumTypo = await postJson(production, { query: "{ articles(orderBy: PUBLISHED_AT_DES) { totalCount } }" });
    assert.doesNotMatch(enumTypo.text, /Did you mean/);
    // The same typo outside production does get a hint, so the check above can fail.
    assert.match(firstError(await postJson(development, { query: TYPO })).message, /Did you mean "nodes"/);
    await assertStillServes(production);
  });

  test("no Sandbox landing page", async () => {
    const prod = await send(production.url, { headers: { accept: "text/html" } });
    assert.doesNotMatch(prod.text, /embeddable|<html/i);
    assert.equal(prod.status, 200);
    assert.match(String(prod.headers.get("content-type")), /^text\/plain/);
    assert.match(prod.text, /^Apollo Sandbox is disabled in production/);
    const dev = await send(development.url, { headers: { accept: "text/html" } });
    assert.match(dev.text, /<html/i);
    await assertStillServes(production);
  });

  test("no x-sql-statements header", async () => {
    const prod = await production.gql("{ articles { totalCount } }");
    assert.equal(prod.status, 200);
    assert.equal(prod.headers.get("x-sql-statements"), null);
    assert.ok(prod.headers.get("x-request-id"));
    assert.ok((await development.gql("{ articles { totalCount } }")).headers.get("x-sql-statements"));
  });
});
