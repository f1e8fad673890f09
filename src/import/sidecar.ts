import fs from "node:fs";
import path from "node:path";
import type { StoredArticleStatus } from "../entities/article.entity";
import { SLUG_PATTERN } from "../lib/slug";
import { unstorableText } from "../lib/text";

/**
 * What a page cannot say about itself: its tags, slug, status and featured image. It comes from
 * `<name>.json` beside `<name>.txt`, or from one `_manifest.json` per folder that maps page file
 * names to the same fields. A sidecar wins over the manifest field by field.
 */
export interface PageSidecar {
  tags: string[];
  slug?: string;
  status?: StoredArticleStatus;
  featuredImageUrl?: string;
  featuredImageCaption?: string;
}

/** The underscore keeps it apart from pages, whose sidecars are named after them. */
export const MANIFEST_FILE = "_manifest.json";

const KNOWN_FIELDS = new Set(["tags", "slug", "status", "featuredImageUrl", "featuredImageCaption"]);
const MAX_SIDECAR_BYTES = 1_000_000;

export class SidecarError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    super(detail);
    this.name = "SidecarError";
  }
}

export interface SidecarResult {
  sidecar: PageSidecar;
  /** False when the page has neither a sidecar nor an entry in its folder's manifest. */
  found: boolean;
  warnings: { path: string; line: number; message: string }[];
}

/** Line of a JSON syntax error; V8 reports a character position and, in newer versions, the line. */
function jsonErrorLine(text: string, error: unknown): number {
  const message = error instanceof Error ? error.message : "";
  const byLine = /line (\d+)/.exec(message);
  if (byLine) return Number(byLine[1]);
  const byPosition = /position (\d+)/.exec(message);
  if (!byPosition) return 1;
  return text.slice(0, Number(byPosition[1])).split("\n").length;
}

/** Line on which `"key"` first appears, so a bad field is reported where it is written. */
function lineOfKey(text: string, key: string): number {
  const index = text.indexOf(JSON.stringify(key));
  return index < 0 ? 1 : text.slice(0, index).split("\n").length;
}

function readJson(file: string): { text: string; value: unknown } | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return null;
  }
  if (!stat.isFile()) return null;
  if (stat.size > MAX_SIDECAR_BYTES) throw new SidecarError(file, 1, `sidecar is larger than ${MAX_SIDECAR_BYTES} bytes`);
  const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw new SidecarError(file, jsonErrorLine(text, error), `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Checks one set of fields; `where` is the file and the text used to find line numbers. */
function validateFields(
  fields: unknown,
  where: { path: string; text: string; label: string },
  warnings: SidecarResult["warnings"],
): Partial<PageSidecar> {
  const fail = (key: string, detail: string) => new SidecarError(where.path, lineOfKey(where.text, key), `${where.label}${detail}`);
  if (!isPlainObject(fields)) throw new SidecarError(where.path, 1, `${where.label}expected a JSON object`);
  const result: Partial<PageSidecar> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!KNOWN_FIELDS.has(key)) {
      warnings.push({ path: where.path, line: lineOfKey(where.text, key), message: `${where.label}unknown field "${key}" ignored` });
      continue;
    }
    // JSON escapes let a sidecar carry what a UTF-8 page cannot: NUL and unpaired surrogates.
    for (const text of Array.isArray(value) ? value : [value]) {
      const problem = typeof text === "string" ? unstorableText(text) : null;
      if (problem) throw fail(key, `"${key}" ${problem}`);
    }
    if (key === "tags") {
      if (!Array.isArray(value) || value.some((t) => typeof t !== "string" || t.trim() === "")) {
        throw fail(key, `"tags" must be a list of non-empty names`);
      }
      result.tags = value.map((t: string) => t.trim());
    } else if (key === "slug") {
      if (typeof value !== "string" || !SLUG_PATTERN.test(value) || value.length > 200) {
        throw fail(key, `"slug" must be lowercase letters, digits and single dashes`);
      }
      result.slug = value;
    } else if (key === "status") {
      if (value !== "draft" && value !== "published") throw fail(key, `"status" must be "draft" or "published"`);
      result.status = value;
    } else if (key === "featuredImageUrl") {
      if (typeof value !== "string" || !/^https?:\/\/\S+$/.test(value) || value.length > 2048) {
        throw fail(key, `"featuredImageUrl" must be an http(s) URL`);
      }
      result.featuredImageUrl = value;
    } else if (key === "featuredImageCaption") {
      if (typeof value !== "string" || value.length > 500) throw fail(key, `"featuredImageCaption" must be text of at most 500 characters`);
      result.featuredImageCaption = value;
    }
  }
  return result;
}

/** Reads each folder's manifest once per import run. */
export class SidecarReader {
  private readonly manifests = new Map<string, { path: string; text: string; entries: Record<string, unknown> } | null>();

  private manifestFor(dir: string) {
    if (this.manifests.has(dir)) return this.manifests.get(dir)!;
    const file = path.join(dir, MANIFEST_FILE);
    const json = readJson(file);
    let manifest = null;
    if (json) {
      if (!isPlainObject(json.value)) throw new SidecarError(file, 1, "expected an object mapping page file names to their fields");
      manifest = { path: file, text: json.text, entries: json.value };
    }
    this.manifests.set(dir, manifest);
    return manifest;
  }

  /** Throws SidecarError when the sidecar or the folder manifest is malformed. */
  read(pagePath: string): SidecarResult {
    const warnings: SidecarResult["warnings"] = [];
    const dir = path.dirname(pagePath);
    const fileName = path.basename(pagePath);
    const stem = fileName.replace(/\.txt$/i, "");

    let fromManifest: Partial<PageSidecar> = {};
    let found = false;
    const manifest = this.manifestFor(dir);
    if (manifest) {
      const key = fileName in manifest.entries ? fileName : stem in manifest.entries ? stem : null;
      if (key !== null) {
        found = true;
        fromManifest = validateFields(manifest.entries[key], { path: manifest.path, text: manifest.text, label: `entry "${key}": ` }, warnings);
      }
    }

    let fromSidecar: Partial<PageSidecar> = {};
    const sidecarPath = path.join(dir, `${stem}.json`);
    const json = readJson(sidecarPath);
    if (json) {
      found = true;
      fromSidecar = validateFields(json.value, { path: sidecarPath, text: json.text, label: "" }, warnings);
    }

    return { sidecar: { tags: [], ...fromManifest, ...fromSidecar }, found, warnings };
  }
}
