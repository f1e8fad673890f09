import { registerDecorator, type ValidationOptions } from "class-validator";
import { defaultFieldResolver, type GraphQLSchema } from "graphql";
import { badInput } from "../errors";
import { unstorableText } from "../lib/text";
import { isValidTimeZone } from "../lib/indonesian-date";

/** An IANA zone name such as Asia/Jakarta, as the byline date is rendered in it. */
export function IsTimeZone(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "isTimeZone",
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be an IANA time zone such as Asia/Jakarta`, ...options },
      validator: { validate: (value: unknown) => typeof value === "string" && isValidTimeZone(value) },
    });
}

/** Present text must carry something other than whitespace. */
export const NOT_BLANK = /\S/;
export const URL_OPTIONS = { protocols: ["http", "https"], require_protocol: true };

/**
 * Every string in a field's arguments, nested input objects and lists included, named as
 * class-validator names fields: relative to an input-object argument (`featuredImage.caption`),
 * else by the argument (`id`); list items by their list. Walked with an explicit stack.
 */
export function unstorableTextFields(args: Record<string, unknown>): Record<string, string> | null {
  let fields: Record<string, string> | null = null;
  const stack: [unknown, string][] = [];
  for (const [name, value] of Object.entries(args)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
      for (const [key, inner] of Object.entries(value)) stack.push([inner, key]);
    } else {
      stack.push([value, name]);
    }
  }
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === "string") {
      const problem = unstorableText(value);
      if (problem) (fields ??= {})[path] ??= `${path} ${problem}`;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push([item, path]);
    } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      for (const [key, inner] of Object.entries(value)) stack.push([inner, `${path}.${key}`]);
    }
  }
  return fields;
}

/**
 * Puts the check in front of every mutation's resolver, so a new mutation or input field is
 * covered without a decorator to remember. Only mutations: reads store nothing, and wrapping
 * them would cost every field resolution.
 */
export function refuseUnstorableTextInMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args: Record<string, unknown>, context, info) => {
      const fields = unstorableTextFields(args);
      if (fields) throw badInput(`invalid input: ${Object.keys(fields).join(", ")}`, fields);
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
