/**
 * type-graphql wraps every plain field in a resolver that runs middlewares and auth checks.
 * Our object types use neither on plain fields, so they can skip that wrapper; the benchmark's
 * ablation switches it off (`GRAPHQL_SIMPLE_RESOLVERS=off`) to show what it buys.
 */
export const simpleResolvers = process.env.GRAPHQL_SIMPLE_RESOLVERS !== "off";
