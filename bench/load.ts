/**
 * The load generator, run as its own process so it does not share the server's event loop
 * or CPU accounting: autocannon drives one query at one concurrency, rotating slugs so the
 * database is not answering the same cached row, and prints one JSON line of figures.
 */
import autocannon from "autocannon";
import { PEER_QUERIES, QUERIES, type BenchQuery } from "./queries";

interface LoadArgs {
  url: string;
  query: BenchQuery;
  connections: number;
  seconds: number;
  slugs: string[];
  method: "POST" | "GET";
  /** Send the peer's (PostGraphile's) documents instead of ours. */
  peer?: boolean;
}

const args: LoadArgs = JSON.parse(process.argv[2]);
const { document, operationName, needsSlug } = (args.peer ? PEER_QUERIES : QUERIES)[args.query];
let next = 0;

function body(): string {
  const variables = needsSlug ? { slug: args.slugs[next++ % args.slugs.length] } : {};
  return JSON.stringify({ query: document, operationName, variables });
}

function getPath(): string {
  const variables = needsSlug ? { slug: args.slugs[next++ % args.slugs.length] } : {};
  const params = new URLSearchParams({ query: document, operationName, variables: JSON.stringify(variables) });
  return `/graphql?${params.toString()}`;
}

const instance = autocannon(
  {
    url: args.url,
    connections: args.connections,
    duration: args.seconds,
    requests: [
      args.method === "GET"
        ? { method: "GET", setupRequest: (req: any) => ({ ...req, path: getPath(), headers: { accept: "application/json" } }) }
        : {
            method: "POST",
            setupRequest: (req: any) => ({ ...req, path: "/graphql", headers: { "content-type": "application/json" }, body: body() }),
          },
    ],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    console.log(
      JSON.stringify({
        rps: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        total: result.requests.total,
        cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      }),
    );
  },
);
process.on("SIGINT", () => instance.stop());
