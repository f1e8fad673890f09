/**
 * The peer: PostGraphile 4 serving the same PostgreSQL database, as a newsroom would run it
 * (node:http + its middleware, no query log, no watch mode). Its schema is derived from the
 * tables, so the benchmark asks it for the same articles, authors and tags with its own field
 * names (see PEER_QUERIES in bench/queries.ts).
 *
 *   npm ci --prefix bench/peer   (once; `npm run bench -- --database postgres` does it)
 *   node dist/bench/postgraphile-server.js <postgres://url> <port>
 */
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

// bench/peer is its own install (PostGraphile 4 needs graphql 15; the API needs 16).
const peerRequire = createRequire(path.resolve(__dirname, "..", "..", "bench", "peer", "package.json"));
const { postgraphile } = peerRequire("postgraphile") as { postgraphile: (url: string, schema: string, options: Record<string, unknown>) => http.RequestListener };

const [url, portArg] = process.argv.slice(2);
const middleware = postgraphile(url, "public", {
  graphqlRoute: "/graphql",
  disableQueryLog: true,
  retryOnInitFail: false,
  watchPg: false,
  enableQueryBatching: false,
  disableDefaultMutations: true,
  ignoreRBAC: false,
  setofFunctionsContainNulls: false,
  legacyRelations: "omit",
});
http.createServer(middleware).listen(Number(portArg ?? 4700), "127.0.0.1", () => console.log("postgraphile ready"));
