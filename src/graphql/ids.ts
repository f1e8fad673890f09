import { badInput } from "../errors";

/** IDs are database integers shown as strings; anything else is a client mistake, not a lookup. */
export function parseEntityId(id: string, argumentName = "id"): number {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) throw badInput(`"${argumentName}" is not a valid id`, { [argumentName]: "not an id" });
  return Number(id);
}
