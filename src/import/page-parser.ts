import { IndonesianDateInspection, formatIndonesianDate, inspectIndonesianDates } from "../lib/indonesian-date";

/**
 * Parser for article pages saved as plain text from alinea.id (see seeds/). The layout is:
 * masthead, title, lead, byline (author line + "Author Date" line), featured-image caption,
 * body paragraphs, optional side blocks ("Caleg Pilihan"), "Berita Lainnya" (title/date
 * pairs), and the close-button residue ("×", "tekid").
 */

export interface ParsedPage {
  title: string;
  lead: string;
  authorName: string;
  /** From the byline. */
  publishedAt: Date;
  timeZone: string;
  bylineLine: number;
  featuredImageCaption: string | null;
  /** Body paragraphs, text exactly as written (only trailing spaces trimmed). */
  paragraphs: string[];
  /** paragraphs.join("\n\n") */
  body: string;
  /** "Berita Lainnya", deduplicated by title + instant, in page order. */
  related: { title: string; publishedAt: Date; timeZone: string; line: number }[];
  /** Problems that do not stop the import, e.g. a related title without its date line. */
  warnings: { line: number; message: string }[];
}

export class PageParseError extends Error {
  /** 1-based line in the original file. */
  readonly line: number;
  /** What the parser was looking for, e.g. "a title", "a byline date". */
  readonly expected: string;

  constructor(line: number, expected: string, detail: string) {
    super(`line ${line}: ${detail}`);
    this.name = "PageParseError";
    this.line = line;
    this.expected = expected;
  }
}

// Headings are compared after trimming, collapsing whitespace, lowercasing and dropping a trailing ":".
const MASTHEAD = new Set(["sun", "moon", "a l i n e a dot id", "fakta data kata", "logo alinea.id", "alinea.id"]);
const RELATED_HEADING = "berita lainnya";
/**
 * Side blocks interleaved by the page template. Kept deliberately to standalone template
 * headings: "Baca juga" is left out because editors put it inside the body as an inline link.
 */
export const SIDE_BLOCK_HEADINGS: ReadonlySet<string> = new Set([
  "caleg pilihan",
  "berita terkait",
  "berita terpopuler",
  "terpopuler",
  "populer",
  "terkini",
  "berita terkini",
  "pilihan redaksi",
  "video pilihan",
  "topik pilihan",
  "topik terkait",
  "tag",
  "tags",
  "infografis",
]);
/** The modal close button and its tracking id, captured by text extraction. */
const TRAILER_NOISE = new Set(["×", "✕", "tekid"]);
/** Separators that may sit between an author name and the date on the byline line. */
const NAME_DATE_SEPARATORS = new Set([..."-\u2013\u2014|,\u2022\u00B7:"]);

/** A loop, not /[...]+$/, which backtracks quadratically on a long run of separators mid-line. */
function stripTrailingSeparators(text: string): string {
  let end = text.length;
  while (end > 0 && (NAME_DATE_SEPARATORS.has(text[end - 1]) || /\s/.test(text[end - 1]))) end--;
  return text.slice(0, end);
}

interface Line {
  /** 1-based line number in the original file. */
  no: number;
  /** Trailing whitespace removed. */
  text: string;
  /** Normalised for comparisons; "" for a blank line. */
  key: string;
}

const keyOf = (text: string) => text.trim().replace(/\s+/g, " ").toLowerCase();
const headingKey = (line: Line) => line.key.replace(/\s*:$/, "");
const isBlank = (line: Line | undefined) => line !== undefined && line.key === "";
const isRelatedHeading = (line: Line) => headingKey(line) === RELATED_HEADING;
const isSideHeading = (line: Line) => SIDE_BLOCK_HEADINGS.has(headingKey(line));
const isTrailerNoise = (line: Line) => TRAILER_NOISE.has(line.key);
const endsBody = (line: Line) => isRelatedHeading(line) || isSideHeading(line) || isTrailerNoise(line);

// Lone surrogates can only come from a string that was mis-decoded upstream (valid UTF-8 has none).
const LONE_SURROGATE = /\p{Surrogate}/u;

/** 1-based line of a character offset, counting line breaks as the parser splits lines. */
const lineAt = (text: string, index: number) => text.slice(0, index).split(/\r\n|\r|\n/).length;

function decode(input: string | Uint8Array): string {
  const notText = () => new PageParseError(1, "UTF-8 text", "expected UTF-8 text");
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else if (input instanceof Uint8Array) {
    try {
      // fatal: a page in Latin-1 or a binary upload must be rejected, not imported as U+FFFD soup.
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      throw notText();
    }
  } else {
    throw new TypeError("parsePage expects a string or a Buffer");
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Text that cannot be stored is reported where it is, so an editor can find it.
  const nul = text.indexOf("\u0000");
  if (nul >= 0) throw new PageParseError(lineAt(text, nul), "text without NUL characters", "NUL character (U+0000) in the text");
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) throw new PageParseError(lineAt(text, surrogate.index), "UTF-8 text", "unpaired UTF-16 surrogate in the text");
  return text;
}

function wholeLineDate(line: Line): IndonesianDateInspection | null {
  const t = line.text.trim();
  const [first] = inspectIndonesianDates(t);
  return first && first.index === 0 && first.match.length === t.length ? first : null;
}

/** A valid date that ends the line, with the text before it. */
function dateAtEnd(line: Line): { date: IndonesianDateInspection; prefix: string } | null {
  const found = inspectIndonesianDates(line.text);
  const last = found[found.length - 1];
  if (!last || last.index + last.match.length !== line.text.length) return null;
  return { date: last, prefix: stripTrailingSeparators(line.text.slice(0, last.index)).trim() };
}

/** The second byline line starts with the author line (equal when the date is missing). */
const repeatsName = (cur: Line, next: Line) => !isBlank(next) && (next.key === cur.key || next.key.startsWith(cur.key + " "));

const hasLetter = (s: string) => /\p{L}/u.test(s);

/**
 * Whether a byline starts here, judged on shape rather than on a valid date, so that a lead
 * written without a blank line before the byline stops at the right place and a bad byline
 * date is reported on the byline line instead of being swallowed into the lead.
 */
function looksLikeByline(lines: Line[], i: number): boolean {
  const cur = lines[i];
  const next = lines[i + 1];
  if (next && repeatsName(cur, next) && cur.key.length <= 120) return true;
  if (next && !isBlank(next) && wholeLineDate(next) && cur.key.length <= 120) return true;
  const single = dateAtEnd(cur);
  return single !== null && hasLetter(single.prefix);
}

interface Byline {
  authorName: string;
  date: IndonesianDateInspection;
  /** Line carrying the date. */
  line: Line;
  /** Index of the last byline line. */
  lastIndex: number;
}

function parseByline(lines: Line[], i: number): Byline {
  const cur = lines[i];
  const next = lines[i + 1] as Line | undefined;
  const noDate = (line: Line) => new PageParseError(line.no, "a byline date", "no date on the byline line");

  // "Arpan Rachman" / "Arpan Rachman Rabu, 13 Sep 2023 19:59 WIB"
  if (next && repeatsName(cur, next)) {
    const found = dateAtEnd(next);
    if (!found || !keyOf(found.prefix).startsWith(cur.key)) throw noDate(next);
    const authorName = keyOf(found.prefix) === cur.key ? cur.text.trim() : found.prefix;
    return { authorName, date: found.date, line: next, lastIndex: i + 1 };
  }
  // "Arpan Rachman" / "Rabu, 13 Sep 2023 19:59 WIB"
  const dateOnly = next && !isBlank(next) ? wholeLineDate(next) : null;
  if (next && dateOnly && hasLetter(cur.text)) {
    return { authorName: cur.text.trim(), date: dateOnly, line: next, lastIndex: i + 1 };
  }
  // "Arpan Rachman Rabu, 13 Sep 2023 19:59 WIB" alone
  const single = dateAtEnd(cur);
  if (single && hasLetter(single.prefix)) {
    return { authorName: single.prefix, date: single.date, line: cur, lastIndex: i };
  }
  throw noDate(cur);
}

function dayNameWarning(date: IndonesianDateInspection, line: Line, what: string): { line: number; message: string } | null {
  if (date.dayNameMatches) return null;
  return {
    line: line.no,
    message: `${what} "${date.match}" names the wrong day of the week; read as ${formatIndonesianDate(date.instant, date.timeZone)}`,
  };
}

/** Joins a paragraph wrapped over several lines; the first line keeps its text as written. */
function joinParagraph(block: Line[]): string {
  return [block[0].text, ...block.slice(1).map((l) => l.text.trimStart())].join(" ");
}

export function parsePage(input: string | Uint8Array): ParsedPage {
  const text = decode(input);
  const lines: Line[] = text.split(/\r\n|\r|\n/).map((raw, idx) => {
    const t = raw.trimEnd();
    return { no: idx + 1, text: t, key: keyOf(t) };
  });
  // A final newline does not start another line.
  if (lines.length > 1 && lines[lines.length - 1].text === "" && /[\r\n]$/.test(text)) lines.pop();
  const lastLineNo = Math.max(1, lines.length);
  const n = lines.length;
  const warnings: { line: number; message: string }[] = [];
  const at = (i: number) => (i < n ? lines[i].no : lastLineNo);

  if (lines.every((l) => l.key === "")) {
    throw new PageParseError(1, "a title", "expected a title, found an empty file");
  }

  let i = 0;
  while (i < n && (isBlank(lines[i]) || MASTHEAD.has(lines[i].key))) i++;
  if (i >= n) throw new PageParseError(lastLineNo, "a title", "expected a title after the masthead, found end of file");
  const title = lines[i].text.trim();
  i++;

  while (i < n && isBlank(lines[i])) i++;
  if (i >= n) throw new PageParseError(lastLineNo, "a lead paragraph", "expected a lead paragraph, found end of file");
  if (looksLikeByline(lines, i)) {
    throw new PageParseError(lines[i].no, "a lead paragraph", "expected a lead paragraph, found the byline");
  }
  const leadBlock: Line[] = [];
  while (i < n && !isBlank(lines[i]) && !looksLikeByline(lines, i)) leadBlock.push(lines[i++]);
  const lead = joinParagraph(leadBlock).trim();

  while (i < n && isBlank(lines[i])) i++;
  if (i >= n) throw new PageParseError(lastLineNo, "a byline date", "expected the byline, found end of file");
  const byline = parseByline(lines, i);
  const bylineWarning = dayNameWarning(byline.date, byline.line, "byline date");
  if (bylineWarning) warnings.push(bylineWarning);
  i = byline.lastIndex + 1;

  // The caption is the line right under the byline. After a blank line it is only taken when it
  // repeats the title, which is what the template prints when the photo has no caption of its own.
  let featuredImageCaption: string | null = null;
  if (i < n && !isBlank(lines[i]) && !endsBody(lines[i])) {
    featuredImageCaption = lines[i++].text.trim();
  } else {
    let j = i;
    while (j < n && isBlank(lines[j])) j++;
    if (j < n && lines[j].key === keyOf(title)) {
      featuredImageCaption = lines[j].text.trim();
      i = j + 1;
    }
  }

  const paragraphs: string[] = [];
  let block: Line[] = [];
  const flush = () => {
    if (block.length) paragraphs.push(joinParagraph(block));
    block = [];
  };
  for (; i < n; i++) {
    const line = lines[i];
    if (isBlank(line)) flush();
    else if (endsBody(line)) break;
    else block.push(line);
  }
  flush();
  if (paragraphs.length === 0) {
    const found = i < n ? `"${lines[i].text.trim()}"` : "end of file";
    throw new PageParseError(at(i), "body paragraphs", `expected body paragraphs, found ${found}`);
  }

  const related: ParsedPage["related"] = [];
  const seen = new Set<string>();
  let mode: "related" | "side" | "trailer" = "trailer";
  let pending: Line | null = null;
  const flushPending = () => {
    if (pending) warnings.push({ line: pending.no, message: `related article "${pending.text.trim()}" has no date line; skipped` });
    pending = null;
  };
  for (; i < n; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    if (isRelatedHeading(line)) {
      flushPending();
      mode = "related";
    } else if (isSideHeading(line)) {
      flushPending();
      mode = "side";
    } else if (isTrailerNoise(line)) {
      flushPending();
      mode = "trailer";
    } else if (mode === "related") {
      const date = wholeLineDate(line);
      if (!date) {
        flushPending();
        pending = line;
      } else if (!pending) {
        warnings.push({ line: line.no, message: `date "${line.text.trim()}" in Berita Lainnya has no title; skipped` });
      } else {
        const titleLine: Line = pending;
        pending = null;
        const warning = dayNameWarning(date, line, "related article date");
        if (warning) warnings.push(warning);
        const relatedTitle = titleLine.text.trim();
        const dedupKey = `${relatedTitle}\u0000${date.instant.getTime()}`;
        if (!seen.has(dedupKey)) {
          seen.add(dedupKey);
          related.push({ title: relatedTitle, publishedAt: date.instant, timeZone: date.timeZone, line: titleLine.no });
        }
      }
    } else if (mode === "trailer") {
      warnings.push({ line: line.no, message: `ignored unrecognised text after the article: "${line.text.trim().slice(0, 60)}"` });
    }
    // mode "side": side-block content is template furniture, dropped on purpose.
  }
  flushPending();

  return {
    title,
    lead,
    authorName: byline.authorName,
    publishedAt: byline.date.instant,
    timeZone: byline.date.timeZone,
    bylineLine: byline.line.no,
    featuredImageCaption,
    paragraphs,
    body: paragraphs.join("\n\n"),
    related,
    warnings,
  };
}
