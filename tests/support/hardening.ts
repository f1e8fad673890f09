import assert from "node:assert/strict";
import type { TestServer } from "./server";

/** Text that would tell an attacker about our internals if it ever appeared in a response. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /SQLITE_/,
  /\bat [^\s()]+ \(/, // a stack frame: "at fn (file:line:col)"
  /\bat (?:file:\/\/|\/)/, // an anonymous stack frame
  /\/work\//,
  /node_modules/,
  /\bSELECT\s/i,
  /\bINSERT\s+INTO\b/i,
  /QueryFailedError/,
  /\.ts:\d+|\.js:\d+/,
];

export function assertNoLeak(text: string, context = ""): void {
  for (const pattern of LEAK_PATTERNS) assert.doesNotMatch(text, pattern, `response leaks ${pattern} ${context}: ${text.slice(0, 500)}`);
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function send(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function postJson(server: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return send(server.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

/** The attack must not have hurt the server: an ordinary query right after it still works. */
export async function assertStillServes(server: TestServer): Promise<void> {
  const after = await server.gql("{ __typename }");
  assert.equal(after.status, 200, `server stopped answering: ${JSON.stringify(after.body)}`);
  assert.deepEqual(after.body.data, { __typename: "Query" });
}

export function firstError(response: { json?: any; body?: any }) {
  const body = response.json ?? response.body;
  assert.ok(body?.errors?.length, `expected errors, got ${JSON.stringify(body)}`);
  return body.errors[0] as { message: string; extensions?: Record<string, any> };
}
