/**
 * Indonesian newsroom dates: pages print local wall-clock time with a WIB/WITA/WIT suffix
 * ("Rabu, 13 Sep 2023 19:59 WIB"). We store the UTC instant plus the IANA zone so the
 * article can be shown again in the zone it was written in.
 */

export type NewsroomZoneLabel = "WIB" | "WITA" | "WIT";
export type NewsroomTimeZone = "Asia/Jakarta" | "Asia/Makassar" | "Asia/Jayapura";

export const ZONE_BY_LABEL: Readonly<Record<NewsroomZoneLabel, NewsroomTimeZone>> = Object.freeze({
  WIB: "Asia/Jakarta",
  WITA: "Asia/Makassar",
  WIT: "Asia/Jayapura",
});

export const LABEL_BY_ZONE: Readonly<Record<NewsroomTimeZone, NewsroomZoneLabel>> = Object.freeze({
  "Asia/Jakarta": "WIB",
  "Asia/Makassar": "WITA",
  "Asia/Jayapura": "WIT",
});

/** Both directions in one table: label → IANA zone and IANA zone → label. */
export const NEWSROOM_ZONES: Readonly<Record<NewsroomZoneLabel, NewsroomTimeZone> & Record<NewsroomTimeZone, NewsroomZoneLabel>> =
  Object.freeze({ ...ZONE_BY_LABEL, ...LABEL_BY_ZONE });

/**
 * Fixed offsets are safe for parsing: Indonesia has had no DST and these offsets since 1988,
 * and the pages we import are far newer than that.
 */
const OFFSET_HOURS: Readonly<Record<NewsroomZoneLabel, number>> = { WIB: 7, WITA: 8, WIT: 9 };

const ID_DAY_NAMES = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"] as const;
const EN_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
const ID_MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"] as const;
const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** Index = JS weekday (0 = Sunday). */
const DAY_NAME_TO_WEEKDAY: ReadonlyMap<string, number> = new Map([
  ["minggu", 0],
  ["ahad", 0], // still printed by some Islamic-leaning outlets
  ["senin", 1],
  ["selasa", 2],
  ["rabu", 3],
  ["kamis", 4],
  ["jumat", 5],
  ["jum'at", 5],
  ["sabtu", 6],
]);

/** Value = 0-based month. Abbreviations and full names seen across Indonesian outlets. */
const MONTH_NAME_TO_INDEX: ReadonlyMap<string, number> = new Map([
  ["jan", 0], ["januari", 0],
  ["feb", 1], ["peb", 1], ["februari", 1], ["pebruari", 1],
  ["mar", 2], ["maret", 2],
  ["apr", 3], ["april", 3],
  ["mei", 4],
  ["jun", 5], ["juni", 5],
  ["jul", 6], ["juli", 6],
  ["agu", 7], ["agt", 7], ["ago", 7], ["agus", 7], ["agustus", 7],
  ["sep", 8], ["sept", 8], ["september", 8],
  ["okt", 9], ["oktober", 9],
  ["nov", 10], ["nop", 10], ["november", 10], ["nopember", 10],
  ["des", 11], ["desember", 11],
]);

// Longest alternatives first so "Agustus" is not cut to "Agus" and "WITA" not to "WIT".
const DAY_ALT = "Minggu|Ahad|Senin|Selasa|Rabu|Kamis|Jum['\u2019]?at|Sabtu";
const MONTH_ALT = [...MONTH_NAME_TO_INDEX.keys()].sort((a, b) => b.length - a.length).join("|");
// "(?:\\s*,\\s*|\\s+)" rather than "\\s*,?\\s+": overlapping whitespace quantifiers backtrack
// quadratically on long runs of spaces, and these patterns scan untrusted imported text.
const SEP = "(?:\\s*,\\s*|\\s+)";
const DATE_CORE =
  `(${DAY_ALT})${SEP}(\\d{1,2})\\s+(${MONTH_ALT})\\.?\\s+(\\d{4})${SEP}(\\d{1,2})[:.](\\d{2})\\s*(WITA|WIB|WIT)`;
// Lookarounds instead of \b: \b is ASCII-only and the day names sit next to names like "Arpan Rachman".
const DATE_IN_TEXT = new RegExp(`(?<![\\p{L}\\p{N}])${DATE_CORE}(?![\\p{L}\\p{N}])`, "giu");
const DATE_WHOLE = new RegExp(`^\\s*${DATE_CORE}\\s*$`, "iu");

export interface IndonesianDateMatch {
  index: number;
  match: string;
  instant: Date;
  timeZone: string;
}

/** A match plus whether the printed day name agrees with the date, for callers that want to warn. */
export interface IndonesianDateInspection extends IndonesianDateMatch {
  dayNameMatches: boolean;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, monthIndex: number): number {
  return monthIndex === 1 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[monthIndex];
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Date.UTC maps years 0–99 onto 1900–1999; setUTCFullYear does not. */
function utcMillis(year: number, monthIndex: number, day: number, hour: number, minute: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(hour, minute, 0, 0);
  return d.getTime();
}

function fromGroups(groups: RegExpExecArray): { instant: Date; timeZone: string; dayNameMatches: boolean } | null {
  const [, dayName, dayText, monthText, yearText, hourText, minuteText, zoneText] = groups;
  const weekday = DAY_NAME_TO_WEEKDAY.get(dayName.toLowerCase().replace("\u2019", "'"));
  const monthIndex = MONTH_NAME_TO_INDEX.get(monthText.toLowerCase());
  const label = zoneText.toUpperCase() as NewsroomZoneLabel;
  if (weekday === undefined || monthIndex === undefined || !(label in OFFSET_HOURS)) return null;
  const day = Number(dayText);
  const year = Number(yearText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  if (year < 1 || day < 1 || day > daysInMonth(year, monthIndex) || hour > 23 || minute > 59) return null;
  const localAsUtc = utcMillis(year, monthIndex, day, hour, minute);
  const instant = new Date(localAsUtc - OFFSET_HOURS[label] * 3_600_000);
  // The day name is typed by hand in the CMS and real pages carry mismatches ("Selasa" on a
  // Wednesday). The numeric date is what the CMS actually stored, so it wins; a wrong day name
  // must not make an otherwise good article unimportable.
  const dayNameMatches = new Date(localAsUtc).getUTCDay() === weekday;
  return { instant, timeZone: ZONE_BY_LABEL[label], dayNameMatches };
}

/** Parses a whole string such as "Rabu, 13 Sep 2023 19:59 WIB"; null when it is not exactly one valid date. */
export function parseIndonesianDate(text: string): { instant: Date; timeZone: string } | null {
  // A real date is ~30 characters; the cap keeps a hostile multi-megabyte "date" from costing anything.
  if (typeof text !== "string" || text.length > 200) return null;
  const m = DATE_WHOLE.exec(text);
  if (!m) return null;
  const parsed = fromGroups(m);
  return parsed && { instant: parsed.instant, timeZone: parsed.timeZone };
}

/** Every valid date inside a line, in order, with day-name agreement. Invalid look-alikes (31 Feb) are skipped. */
export function inspectIndonesianDates(line: string): IndonesianDateInspection[] {
  const found: IndonesianDateInspection[] = [];
  const re = new RegExp(DATE_IN_TEXT.source, DATE_IN_TEXT.flags);
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const parsed = fromGroups(m);
    if (parsed) found.push({ index: m.index, match: m[0], ...parsed });
  }
  return found;
}

/** First valid date anywhere in a line, e.g. the date in "Arpan Rachman Rabu, 13 Sep 2023 19:59 WIB". */
export function findIndonesianDate(line: string): IndonesianDateMatch | null {
  const re = new RegExp(DATE_IN_TEXT.source, DATE_IN_TEXT.flags);
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const parsed = fromGroups(m);
    if (parsed) return { index: m.index, match: m[0], instant: parsed.instant, timeZone: parsed.timeZone };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Formatting

interface ZoneFormatter {
  format: Intl.DateTimeFormat;
  /** Canonical IANA name, so aliases (Asia/Ujung_Pandang) still get their WITA label. */
  resolvedZone: string;
}

/**
 * Formatter construction costs far more than formatting, and dates are formatted for every
 * article in a listing. Capped because zone names can arrive from clients in any letter case,
 * and each spelling would otherwise pin another formatter in memory forever.
 */
const FORMATTER_CACHE_LIMIT = 256;
const formatterCache = new Map<string, ZoneFormatter>();

function zoneFormatter(timeZone: string): ZoneFormatter {
  const cached = formatterCache.get(timeZone);
  if (cached) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      // "h23", not hour12:false, which prints midnight as "24" in some ICU versions.
      hourCycle: "h23",
      timeZoneName: "shortOffset",
    });
  } catch {
    throw new RangeError(`Unknown time zone "${timeZone}"; expected an IANA zone such as "Asia/Jakarta"`);
  }
  const entry = { format, resolvedZone: format.resolvedOptions().timeZone };
  if (formatterCache.size >= FORMATTER_CACHE_LIMIT) {
    const oldest = formatterCache.keys().next().value;
    if (oldest !== undefined) formatterCache.delete(oldest);
  }
  formatterCache.set(timeZone, entry);
  return entry;
}

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== "string" || tz.length === 0 || tz.length > 64) return false;
  try {
    zoneFormatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Zones that keep Indonesian labels; Pontianak is WIB too although it is not the newsroom default. */
const INDONESIAN_ZONES = new Set(["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"]);
const LABEL_BY_OFFSET: Readonly<Record<string, NewsroomZoneLabel>> = { "GMT+7": "WIB", "GMT+8": "WITA", "GMT+9": "WIT" };

function zoneLabel(resolvedZone: string, shortOffset: string): string {
  if (resolvedZone === "UTC") return "UTC";
  // Label by the offset in force, not by the zone name alone: before 1988 these zones had other
  // offsets, and "WIB" on such a date would not parse back to the same instant.
  if (INDONESIAN_ZONES.has(resolvedZone) && LABEL_BY_OFFSET[shortOffset]) return LABEL_BY_OFFSET[shortOffset];
  // ICU versions disagree on zero ("GMT" vs "GMT+0"); pick one so output is stable across Node builds.
  return shortOffset === "GMT+0" || shortOffset === "GMT-0" ? "GMT" : shortOffset;
}

interface WallClock {
  year: number;
  monthIndex: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
  label: string;
}

/**
 * Wall clocks already worked out, by zone and instant. Intl's formatToParts was the costliest
 * step of a list page (every article shows its date), and a front page shows the same few
 * hundred instants all day. Cleared when full: refilling costs what one cold page did.
 */
const WALL_CLOCK_CACHE_LIMIT = 10_000;
const wallClocks = new Map<string, WallClock>();

function wallClock(instant: Date, timeZone: string): WallClock {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError("Cannot format an invalid date");
  }
  const key = `${timeZone}|${instant.getTime()}`;
  let clock = wallClocks.get(key);
  if (!clock) {
    clock = computeWallClock(instant, timeZone);
    if (wallClocks.size >= WALL_CLOCK_CACHE_LIMIT) wallClocks.clear();
    wallClocks.set(key, clock);
  }
  return clock;
}

function computeWallClock(instant: Date, timeZone: string): WallClock {
  const { format, resolvedZone } = zoneFormatter(timeZone);
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, offset = "GMT";
  for (const part of format.formatToParts(instant)) {
    switch (part.type) {
      case "year": year = Number(part.value); break;
      case "month": month = Number(part.value); break;
      case "day": day = Number(part.value); break;
      case "hour": hour = Number(part.value) % 24; break;
      case "minute": minute = Number(part.value); break;
      case "timeZoneName": offset = part.value; break;
    }
  }
  const weekday = new Date(utcMillis(year, month - 1, day, 12, 0)).getUTCDay();
  return { year, monthIndex: month - 1, day, hour, minute, weekday, label: zoneLabel(resolvedZone, offset) };
}

const pad2 = (n: number) => String(n).padStart(2, "0");

function render(c: WallClock, days: readonly string[], months: readonly string[]): string {
  const year = c.year < 1000 ? String(c.year).padStart(4, "0") : String(c.year);
  return `${days[c.weekday]}, ${pad2(c.day)} ${months[c.monthIndex]} ${year} ${pad2(c.hour)}:${pad2(c.minute)} ${c.label}`;
}

/** "Rabu, 13 Sep 2023 19:59 WIB". Throws RangeError for an invalid date or unknown zone. */
export function formatIndonesianDate(instant: Date, timeZone = "Asia/Jakarta"): string {
  return render(wallClock(instant, timeZone), ID_DAY_NAMES, ID_MONTHS);
}

export const ARTICLE_DATE_LOCALES = ["id", "en"] as const;
export type ArticleDateLocale = (typeof ARTICLE_DATE_LOCALES)[number];

export interface FormatArticleDateOptions {
  /** "id" or "en"; region subtags ("en-US", "id-ID") are accepted and ignored. */
  locale?: string;
  timeZone?: string;
}

const LOCALE_CACHE_LIMIT = 64;
const articleLocales = new Map<string, ArticleDateLocale>();

/** Canonicalising a tag costs more than formatting; clients send the same one or two. */
function articleLocale(locale: string): ArticleDateLocale {
  let resolved = articleLocales.get(locale);
  if (!resolved) {
    resolved = resolveArticleLocale(locale);
    if (articleLocales.size >= LOCALE_CACHE_LIMIT) articleLocales.clear();
    articleLocales.set(locale, resolved);
  }
  return resolved;
}

function resolveArticleLocale(locale: string): ArticleDateLocale {
  let language: string | undefined;
  try {
    // Canonicalising maps the legacy "in" tag to "id" and rejects malformed tags.
    language = Intl.getCanonicalLocales(locale)[0]?.split("-")[0];
  } catch {
    language = undefined;
  }
  if (language === "id" || language === "en") return language;
  throw new RangeError(`Unsupported locale "${locale}"; supported locales are ${ARTICLE_DATE_LOCALES.map((l) => `"${l}"`).join(", ")}`);
}

/** "Rabu, 13 Sep 2023 19:59 WIB" (id) or "Wednesday, 13 Sep 2023 19:59 WIB" (en). */
export function formatArticleDate(instant: Date, options: FormatArticleDateOptions = {}): string {
  const { locale = "id", timeZone = "Asia/Jakarta" } = options;
  const lang = articleLocale(locale);
  const clock = wallClock(instant, timeZone);
  return lang === "id" ? render(clock, ID_DAY_NAMES, ID_MONTHS) : render(clock, EN_DAY_NAMES, EN_MONTHS);
}
