import { registerDecorator, type ValidationOptions } from "class-validator";
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
