/**
 * Dates as aggregators want them: in the article's own zone with its offset (`+0700` for WIB,
 * `+0800` WITA, `+0900` WIT), not in UTC. Any IANA zone works (the offset in force at that
 * instant, so zones with daylight saving are right too).
 */
export interface ZonedTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

// Formatter construction is the expensive part; zones come from stored rows (validated on write),
// still capped so the map cannot grow without bound.
const FORMATTERS_MAX = 256;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format) return format;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
  } catch {
    // A zone this Node build does not know: UTC is at least a correct instant.
    if (timeZone === "UTC") throw new RangeError("this Node build has no time zone data");
    return formatterFor("UTC");
  }
  if (formatters.size >= FORMATTERS_MAX) formatters.delete(formatters.keys().next().value!);
  formatters.set(timeZone, format);
  return format;
}

/**
 * Offsets change only at transitions, which (since 1970) fall on whole quarter hours of UTC: one formatToParts per zone
 * and quarter hour serves every date in it (the same articles are dated again in every format,
 * tag and author feed). Bounded like the formatters.
 */
const OFFSETS_MAX = 10_000;
const QUARTER_HOUR_MS = 900_000;
const offsets = new Map<string, number>();

function offsetMinutes(instant: Date, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(instant.getTime() / QUARTER_HOUR_MS)}`;
  let minutes = offsets.get(key);
  if (minutes === undefined) {
    // "GMT+07:00", "GMT-03:30", or "GMT" at zero.
    const name = formatterFor(timeZone).formatToParts(instant).find((part) => part.type === "timeZoneName")?.value ?? "";
    const m = /([+-])(\d{2}):(\d{2})/.exec(name);
    minutes = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
    if (offsets.size >= OFFSETS_MAX) offsets.clear();
    offsets.set(key, minutes);
  }
  return minutes;
}

export function zonedTime(instant: Date, timeZone: string): ZonedTime {
  const offset = offsetMinutes(instant, timeZone);
  const local = new Date(instant.getTime() + offset * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
    offsetMinutes: offset,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function offsetText(minutes: number, separator: string): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${separator}${pad(abs % 60)}`;
}

/** RFC 822 as RSS 2.0 uses it: `Wed, 13 Sep 2023 19:59:00 +0700`. */
export function rfc822(instant: Date, timeZone: string): string {
  const t = zonedTime(instant, timeZone);
  return `${DAYS[t.weekday]}, ${pad(t.day)} ${MONTHS[t.month - 1]} ${pad(t.year, 4)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)} ${offsetText(t.offsetMinutes, "")}`;
}

/** W3C / RFC 3339 with the zone's offset: `2023-09-13T19:59:00+07:00` (sitemaps, Atom, JSON Feed). */
export function w3c(instant: Date, timeZone: string): string {
  const t = zonedTime(instant, timeZone);
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${offsetText(t.offsetMinutes, ":")}`;
}
