import { badInput } from "../errors";

export const MAX_PAGE_SIZE = 100;

/** `first` is capped everywhere: a list request can never ask the database for unbounded rows. */
export function pageWindow(first: number, after: string | null | undefined, argumentName = "first") {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`"${argumentName}" must be between 0 and ${MAX_PAGE_SIZE}`, { [argumentName]: `must be between 0 and ${MAX_PAGE_SIZE}` });
  }
  return { first, after: after ?? null };
}
