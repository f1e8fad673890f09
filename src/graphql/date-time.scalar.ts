import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

// ISO-8601 with a zone designator; an instant without a zone is ambiguous for a newsroom
// that writes in three zones, so it is refused rather than guessed.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number) => (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);

/** Years the storage formats hold exactly: four-digit text in SQLite, and no year 0 or BC anywhere. */
export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

const notReal = (value: string, why: string) => new GraphQLError(`"${value}" is not a real date: ${why}`, { extensions: { code: "BAD_USER_INPUT" } });

/**
 * Reads the fields by hand: `new Date()` rolls 2023-02-30 over to March 2 and `Date.UTC` maps
 * years 0–99 onto the 1900s, so neither may decide what a client meant.
 */
function parseInstant(value: unknown): Date {
  const match = typeof value === "string" ? ISO_INSTANT.exec(value) : null;
  if (!match) {
    throw new GraphQLError("DateTime must be an ISO-8601 instant with a zone, e.g. 2023-09-13T12:59:00Z", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  const text = value as string;
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const millis = match[7] ? Number(match[7].padEnd(3, "0").slice(0, 3)) : 0;
  const offsetMinutes = match[8] ? (match[8] === "-" ? -1 : 1) * (Number(match[9]) * 60 + Number(match[10])) : 0;
  if (month < 1 || month > 12) throw notReal(text, "no such month");
  if (year < MIN_YEAR || day < 1 || day > daysInMonth(year, month)) throw notReal(text, "no such day");
  if (hour > 23 || minute > 59 || second > 59) throw notReal(text, "no such time of day");
  if (match[8] && (Number(match[9]) > 23 || Number(match[10]) > 59)) throw notReal(text, "no such zone offset");
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  date.setTime(date.getTime() - offsetMinutes * 60_000);
  const utcYear = date.getUTCFullYear();
  if (utcYear < MIN_YEAR || utcYear > MAX_YEAR) throw notReal(text, `the instant must fall in the years ${MIN_YEAR}–${MAX_YEAR} UTC`);
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
