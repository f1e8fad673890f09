import "reflect-metadata";
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { GraphQLFieldResolver, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { Article } from "../../src/entities/article.entity";
import { buildAppSchema } from "../../src/graphql/schema";

function resolverOf(schema: GraphQLSchema, type: string, field: string): GraphQLFieldResolver<unknown, unknown> {
  const resolve = (schema.getType(type) as GraphQLObjectType).getFields()[field].resolve;
  assert.ok(resolve, `${type}.${field} has a resolver`);
  return resolve;
}

function article(): Article {
  const article = new Article();
  article.id = 7;
  article.lead = "Presiden meresmikan jembatan baru di Kalimantan Timur pada hari Rabu pagi, disaksikan ribuan warga.";
  article.body = "";
  article.publishedAt = new Date("2023-09-13T12:59:00Z");
  article.timeZone = "Asia/Jakarta";
  return article;
}

const info = {} as GraphQLResolveInfo;

describe("resolvers dispatched directly (src/graphql/direct-dispatch.ts)", () => {
  let schema: GraphQLSchema;
  before(async () => {
    schema = await buildAppSchema();
  });

  test("a field with scalar arguments on an entity answers synchronously, as type-graphql's dispatch answers it", async () => {
    const excerpt = resolverOf(schema, "Article", "excerpt");
    const direct = excerpt(article(), { length: 40 }, {}, info);
    assert.equal(typeof direct, "string", "no promise for a synchronous method");
    // A root that is not an Article goes to type-graphql, which copies it into one first.
    const viaTypeGraphql = excerpt({ ...article() }, { length: 40 }, {}, info);
    assert.ok(viaTypeGraphql instanceof Promise);
    assert.equal(await viaTypeGraphql, direct);

    const byline = resolverOf(schema, "Article", "publishedAtText");
    const text = byline(article(), { locale: "id" }, {}, info);
    assert.equal(text, "Rabu, 13 Sep 2023 19:59 WIB");
    assert.equal(await byline({ ...article() }, { locale: "id" }, {}, info), text);
  });

  test("a method's own refusal still reaches GraphQL as its error", () => {
    const excerpt = resolverOf(schema, "Article", "excerpt");
    assert.throws(() => excerpt(article(), { length: 5 }, {}, info), (error: Error & { extensions?: { code?: string } }) => error.extensions?.code === "BAD_USER_INPUT");
  });

  test("an input-object argument still goes through type-graphql's validation", async () => {
    const articles = resolverOf(schema, "Query", "articles");
    // No loaders in the context: a direct call would fail on them instead of on validation.
    await assert.rejects(
      Promise.resolve(articles(undefined, { first: 20, filter: { tagSlugs: ["Not A Slug"] } }, {}, info)),
      ArgumentValidationError,
    );
  });
});
