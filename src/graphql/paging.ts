import { getArgumentValues, getNamedType, isObjectType, Kind, type FieldNode, type GraphQLResolveInfo } from "graphql";
import { badInput } from "../errors";

export const MAX_PAGE_SIZE = 100;

/** `first` is capped everywhere: a list request can never ask the database for unbounded rows. */
export function pageWindow(first: number, after: string | null | undefined, argumentName = "first") {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`"${argumentName}" must be between 0 and ${MAX_PAGE_SIZE}`, { [argumentName]: `must be between 0 and ${MAX_PAGE_SIZE}` });
  }
  return { first, after: after ?? null };
}

/**
 * The first page a lookup's selection asks of its nested list `field` (`tag(slug:) { articles(first: 20) }`,
 * `article(slug:) { related(first: 5) }`),
 * with its arguments as the list's own resolver will see them, so the lookup can read the page
 * with itself. Null unless the selection asks for exactly one such field, plainly (no alias
 * twin, no directive, not only inside fragments) and without a cursor, with a valid `first`:
 * anything else is left to the list's resolver, which also reports its bad arguments.
 */
export function firstPageAsked<Order = never>(info: GraphQLResolveInfo, field: string): { first: number; orderBy: Order } | null {
  if (info.fieldNodes.length !== 1) return null;
  const asked = (info.fieldNodes[0].selectionSet?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === field);
  if (asked.length !== 1 || asked[0].directives?.length) return null;
  const owner = getNamedType(info.returnType);
  const definition = isObjectType(owner) ? owner.getFields()[field] : undefined;
  if (!definition) return null;
  try {
    const { first, after, orderBy } = getArgumentValues(definition, asked[0], info.variableValues) as { first: number; after?: string | null; orderBy: Order };
    return after == null ? { first: pageWindow(first, null).first, orderBy } : null;
  } catch {
    return null;
  }
}
