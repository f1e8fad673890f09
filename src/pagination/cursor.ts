import { badInput } from "../errors";

/**
 * Opaque keyset cursors: the sort value and the id of the last row seen. Keyset (not offset)
 * paging keeps every page equally cheap and never repeats or skips a row when articles are
 * published between two page requests.
 */
export type CursorKey = [value: string | number | null, id: number];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, argumentName = "after"): CursorKey {
  const fail = () => badInput(`"${argumentName}" is not a cursor returned by this API`, { [argumentName]: "malformed cursor" });
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw fail();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !(typeof parsed[0] === "string" || typeof parsed[0] === "number" || parsed[0] === null) ||
    !Number.isSafeInteger(parsed[1])
  ) {
    throw fail();
  }
  return parsed as CursorKey;
}
