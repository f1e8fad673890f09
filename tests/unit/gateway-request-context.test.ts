import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, test } from "node:test";
import { HeaderMap } from "@apollo/server";
import { gatewayContextReplaced } from "../../src/graphql/gateway-request-context";

describe("Apollo's gateway request context (src/graphql/gateway-request-context.ts)", () => {
  // If an Apollo upgrade moves the function, requests still work but every young-generation
  // collection copies every recent request again: this is where that shows.
  test("is built by our function in the Apollo Server installed", () => {
    assert.equal(gatewayContextReplaced(), true);
  });

  test("carries the request and writes the response's status through to Apollo's", () => {
    const requireHere = createRequire(__filename);
    const apolloModule = requireHere(path.join(path.dirname(requireHere.resolve("@apollo/server")), "utils", "makeGatewayGraphQLRequestContext.js")) as {
      makeGatewayGraphQLRequestContext: (context: unknown, server: unknown, internals: unknown) => {
        request: { query?: string; variables?: Record<string, unknown>; http?: { url: string; headers: { get(name: string): string | null } } };
        response: { http: { status?: number; headers: { set(name: string, value: string): void } } };
        context: unknown;
        queryHash: string;
      };
    };
    const responseHttp: { status?: number; headers: HeaderMap } = { headers: new HeaderMap() };
    const contextValue = { viewer: "anonymous" };
    const built = apolloModule.makeGatewayGraphQLRequestContext(
      {
        request: { query: "{ __typename }", variables: { a: 1 }, http: { method: "POST", search: "x=1", headers: new HeaderMap([["accept", "application/json"]]), body: {} } },
        response: { http: responseHttp },
        contextValue,
        queryHash: "abc",
        metrics: {},
      },
      { logger: console, cache: undefined },
      {},
    );
    assert.equal(built.request.query, "{ __typename }");
    assert.deepEqual(built.request.variables, { a: 1 });
    assert.equal(built.request.http?.url, "https://unknown-url.invalid/?x=1");
    assert.equal(built.request.http?.headers.get("accept"), "application/json");
    assert.equal(built.context, contextValue);
    assert.equal(built.queryHash, "abc");
    built.response.http.status = 503;
    built.response.http.headers.set("retry-after", "1");
    assert.equal(responseHttp.status, 503);
    assert.equal(responseHttp.headers.get("retry-after"), "1");
  });
});
