import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

// ISO-8601 with a zone designator; an instant without a zone is ambiguous for a newsroom
// that writes in three zones, so it is refused rather than guessed.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function parseInstant(value: unknown): Date {
  if (typeof value !== "string" || !ISO_INSTANT.test(value)) {
    throw new GraphQLError("DateTime must be an ISO-8601 instant with a zone, e.g. 2023-09-13T12:59:00Z", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`"${value}" is not a real date`, { extensions: { code: "BAD_USER_INPUT" } });
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "An instant as an ISO-8601 UTC string, e.g. `2023-09-13T12:59:00.000Z`. Input accepts any zone offset.",
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError("DateTime cannot represent an invalid date");
    return date.toISOString();
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("DateTime must be a string", { extensions: { code: "BAD_USER_INPUT" } });
    return parseInstant(ast.value);
  },
});
