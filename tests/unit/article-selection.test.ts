import "reflect-metadata";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";
import { articleSelectionOf, BodyNeed, type ArticleSelection } from "../../src/loaders/article-selection";

let schema: GraphQLSchema;
before(async () => {
  schema = await buildAppSchema();
});

function selectionOf(source: string, operationName?: string): ArticleSelection {
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || d.name?.value === operationName),
  )!;
  return articleSelectionOf(schema, document, operation);
}

describe("article selection: which loaders fetch the body", () => {
  it("a home page of titles and excerpts reads bodies only for excerpts", () => {
    const s = selectionOf(`{ articles(first: 20) { nodes { slug title excerpt author { name } tags { slug } } } }`);
    assert.deepEqual({ ...s, cardOnly: undefined, extras: undefined, tags: undefined, listTotals: undefined }, { byKey: BodyNeed.NONE, lists: BodyNeed.EXCERPT, related: BodyNeed.NONE, search: BodyNeed.NONE, cardOnly: undefined, extras: undefined, tags: undefined, listTotals: undefined });
  });

  it("an article page reads its own body but not its related articles'", () => {
    const s = selectionOf(`query($slug: String!) { article(slug: $slug) { title paragraphs related(first: 5) { article { slug title excerpt } } } }`);
    assert.deepEqual({ ...s, cardOnly: undefined, extras: undefined, tags: undefined, listTotals: undefined }, { byKey: BodyNeed.FULL, lists: BodyNeed.NONE, related: BodyNeed.EXCERPT, search: BodyNeed.NONE, cardOnly: undefined, extras: undefined, tags: undefined, listTotals: undefined });
  });

  it("follows named and inline fragments, and nested lists under authors and tags", () => {
    const s = selectionOf(`
      query Page { tag(slug: "x") { articles(first: 3) { nodes { ...Card } } } }
      fragment Card on Article { title ... on Article { body } }`);
    assert.equal(s.lists, BodyNeed.FULL);
    assert.equal(s.byKey, BodyNeed.NONE);
    const viaAuthor = selectionOf(`{ authors(first: 2) { nodes { articles(first: 2) { edges { node { paragraphs } } } } } }`);
    assert.equal(viaAuthor.lists, BodyNeed.FULL);
  });

  it("a related article's body inside a list counts for related, not for the list", () => {
    const s = selectionOf(`{ articles(first: 2) { nodes { title related { article { body } } } } }`);
    assert.deepEqual({ ...s, cardOnly: undefined, extras: undefined, tags: undefined, listTotals: undefined }, { byKey: BodyNeed.NONE, lists: BodyNeed.NONE, related: BodyNeed.FULL, search: BodyNeed.NONE, cardOnly: undefined, extras: undefined, tags: undefined, listTotals: undefined });
  });

  it("analyses the named operation of a document holding several", () => {
    const source = `query A { articles { nodes { body } } } query B { articles { nodes { title } } }`;
    assert.equal(selectionOf(source, "A").lists, BodyNeed.FULL);
    assert.equal(selectionOf(source, "B").lists, BodyNeed.NONE);
  });
});

describe("article selection: what a search page reads", () => {
  it("a result list of titles reads no body; a snippet reads it; tag chips ride along", () => {
    const titles = selectionOf(`query($q: String!) { search(query: $q) { nodes { score article { slug title tags { slug } } } } }`);
    assert.equal(titles.search, BodyNeed.NONE);
    assert.equal(titles.tags.search, true);
    const snippets = selectionOf(`query($q: String!) { search(query: $q) { edges { node { snippet article { slug } } } } }`);
    assert.equal(snippets.search, BodyNeed.FULL);
    assert.equal(snippets.tags.search, false);
    const excerpts = selectionOf(`query($q: String!) { search(query: $q) { nodes { article { excerpt } } } }`);
    assert.equal(excerpts.search, BodyNeed.EXCERPT);
    assert.equal(excerpts.lists, BodyNeed.NONE);
  });
});

describe("article selection: which parts show articles only as cards", () => {
  it("related links of slug, title, date and author are cards; the page's own article is not", () => {
    const s = selectionOf(`query($slug: String!) { article(slug: $slug) { title lead paragraphs related(first: 5) { reason article { slug title publishedAtText author { name } } } } }`);
    assert.deepEqual(s.cardOnly, { byKey: false, lists: true, related: true, search: true });
  });

  it("a list showing an excerpt, a lead or related articles is more than cards", () => {
    assert.equal(selectionOf(`{ articles(first: 20) { nodes { slug title excerpt } } }`).cardOnly.lists, false);
    assert.equal(selectionOf(`{ articles(first: 20) { nodes { slug title lead } } }`).cardOnly.lists, false);
    assert.equal(selectionOf(`{ articles(first: 2) { nodes { title related { article { slug } } } } }`).cardOnly.lists, false);
    assert.equal(selectionOf(`{ tag(slug: "x") { articles(first: 5) { nodes { slug title featuredImage { url } tags { slug } } } } }`).cardOnly.lists, true);
  });

  it("looks through fragments for fields beyond the card", () => {
    const s = selectionOf(`
      query Page { article(slug: "x") { related { article { ...Link } } } }
      fragment Link on Article { slug ... on Article { wordCount } }`);
    assert.equal(s.cardOnly.related, false);
  });
});

describe("article selection: which optional columns a statement carries", () => {
  it("front-end pages of titles, excerpts, bylines and tag chips need none", () => {
    for (const page of [
      `{ articles(first: 20) { nodes { slug title excerpt publishedAt author { name slug } tags { slug name } } } }`,
      `query($slug: String!) { article(slug: $slug) { id slug title lead paragraphs publishedAtText featuredImage { url } author { name } tags { slug } related { article { slug title } } } }`,
      `query($slug: String!) { tag(slug: $slug) { slug name articles(first: 20) { totalCount nodes { slug title excerpt publishedAtText author { name } } } } }`,
    ]) {
      assert.deepEqual(selectionOf(page).extras, { article: false, author: false, tag: false }, page);
    }
  });

  it("any field reading one, anywhere in the operation and through fragments, asks for that entity's", () => {
    assert.deepEqual(selectionOf(`{ articles(first: 2) { nodes { readingTimeMinutes } } }`).extras, { article: true, author: false, tag: false });
    assert.deepEqual(selectionOf(`{ article(id: "1") { revisions { revision } } }`).extras, { article: true, author: false, tag: false }, "who may see revisions depends on the status");
    assert.deepEqual(selectionOf(`{ articles(first: 2) { nodes { slug } } author(slug: "a") { bio } }`).extras, { article: false, author: true, tag: false });
    assert.deepEqual(selectionOf(`{ article(slug: "a") { related { article { tags { ...T } } } } } fragment T on Tag { description }`).extras, { article: false, author: false, tag: true });
    assert.deepEqual(selectionOf(`{ tags(first: 1) { nodes { articles(first: 1) { nodes { status author { createdAt } } } } } }`).extras, { article: true, author: true, tag: false });
  });
});

describe("article selection: which parts show their articles' tags", () => {
  it("a home page showing tag chips reads them with its list; its related links do not ask for them", () => {
    const s = selectionOf(`{ articles(first: 20) { nodes { slug tags { slug name } related { article { slug } } } } }`);
    assert.deepEqual(s.tags, { byKey: false, lists: true, related: false, search: false });
  });

  it("through fragments, for the page's own article and its related links", () => {
    const s = selectionOf(`
      query Page($slug: String!) { article(slug: $slug) { ...Chips related { article { ...Chips } } } }
      fragment Chips on Article { tags { name } }`);
    assert.deepEqual(s.tags, { byKey: true, lists: false, related: true, search: false });
  });

  it("an article's tag list is not the tag page's list of articles", () => {
    const s = selectionOf(`{ tag(slug: "x") { name articles(first: 3) { nodes { slug } } } }`);
    assert.deepEqual(s.tags, { byKey: false, lists: false, related: false, search: false });
  });
});

describe("article selection: whether a list shows its total", () => {
  it("a tag page's totalCount counts; a connection of authors or tags does not", () => {
    assert.equal(selectionOf(`{ tag(slug: "x") { articles(first: 20) { totalCount nodes { slug } } } }`).listTotals, true);
    assert.equal(selectionOf(`{ tag(slug: "x") { articles(first: 20) { nodes { slug } } } }`).listTotals, false);
    assert.equal(selectionOf(`{ tags(first: 5) { totalCount nodes { slug } } }`).listTotals, false);
  });
});
