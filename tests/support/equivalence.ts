import type { GraphQLResponse } from "./server";

/**
 * For tests that send one request two ways (a lookup that reads ahead in one statement, and the
 * same fields in a fragment, read the plain way): what must be equal between the two answers.
 * Each error names its own request and its place in its own document, so those are left out.
 */
export function comparableAnswer(res: GraphQLResponse): unknown {
  const errors = res.body.errors?.map(({ locations: _locations, extensions, ...error }: { locations?: unknown; extensions?: Record<string, unknown> }) => {
    const { requestId: _requestId, ...rest } = extensions ?? {};
    return { ...error, extensions: rest };
  });
  return { status: res.status, body: { ...res.body, errors }, keys: res.headers.get("surrogate-key") };
}

/** A document refused before it ran: two such answers are equal whatever the paths would do. */
export function refusedDocument(res: GraphQLResponse): boolean {
  return Boolean(res.body.errors?.some((e: { extensions?: { code?: string } }) => /GRAPHQL_(PARSE|VALIDATION)_FAILED/.test(e.extensions?.code ?? "")));
}
