import "reflect-metadata";
import path from "node:path";
import { loadConfig, projectRoot } from "../config";
import { openDatabase } from "../db/data-source";
import { importPages, type ImportReport } from "../import/importer";
import { MANIFEST_FILE } from "../import/sidecar";
import { generateSynthetic } from "../tooling/synthetic";

const HELP = `Usage: npm run seed -- [options] [files or folders...]

Loads news pages (.txt, in the layout of seeds/*.txt) into the database named by DATABASE_URL.
Folders are walked recursively; pages load in name order, each in its own transaction.
Without paths, loads seeds/.

Beside each page, an optional <name>.json gives what the page cannot say:
  {"tags": ["Politik"], "slug": "...", "status": "draft"|"published",
   "featuredImageUrl": "https://...", "featuredImageCaption": "..."}
or one ${MANIFEST_FILE} per folder maps page file names to the same fields.

Running it again changes nothing unless a page changed. "Berita Lainnya" entries become
related-article links when an article with that title and date exists after the run; the
others are kept and linked when that article arrives (a later run, or the API).

Options:
  --dry-run        parse and compare, report what would change, write nothing
  --json           print the report as JSON on stdout instead of the summary
  --synthetic N    instead of pages, create N synthetic articles for benchmarks
    --authors A    ... spread over A authors (default 500)
    --tags T       ... and T tags (default 1000)
    --seed S       ... generated from seed S (default 1); same seed, same content
  -h, --help       show this help

Exit status: 0 when everything loaded, 1 when any page failed, 2 for bad usage.`;

class UsageError extends Error {}

interface Args {
  paths: string[];
  dryRun: boolean;
  json: boolean;
  help: boolean;
  synthetic?: number;
  authors?: number;
  tags?: number;
  seed?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { paths: [], dryRun: false, json: false, help: false };
  const wholeNumber = (flag: string, value: string | undefined, min: number) => {
    if (value === undefined || !/^\d+$/.test(value.replace(/_/g, ""))) throw new UsageError(`${flag} needs a whole number`);
    const n = Number(value.replace(/_/g, ""));
    if (n < min) throw new UsageError(`${flag} must be at least ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "-h":
      case "--help": args.help = true; break;
      case "--dry-run": args.dryRun = true; break;
      case "--json": args.json = true; break;
      case "--synthetic": args.synthetic = wholeNumber(flag, value(), 0); break;
      case "--authors": args.authors = wholeNumber(flag, value(), 1); break;
      case "--tags": args.tags = wholeNumber(flag, value(), 2); break;
      case "--seed": args.seed = wholeNumber(flag, value(), 0); break;
      case "--": args.paths.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
        args.paths.push(arg);
    }
  }
  if (args.synthetic === undefined && (args.authors !== undefined || args.tags !== undefined || args.seed !== undefined)) {
    throw new UsageError("--authors, --tags and --seed only go with --synthetic");
  }
  if (args.synthetic !== undefined && args.paths.length) throw new UsageError("--synthetic takes no files or folders");
  if (args.synthetic !== undefined && args.dryRun) throw new UsageError("--synthetic cannot be combined with --dry-run");
  return args;
}

/** A one-line bar redrawn in place; only on a terminal, so logs and pipes stay clean. */
function progressBar(label: string): { update(done: number, total: number): void; clear(): void } {
  const stream = process.stderr;
  if (!stream.isTTY) return { update() {}, clear() {} };
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : width;
      stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${label}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const where = (p: string, line: number) => (line > 0 ? `${p}:${line}` : p);

function printSummary(report: ImportReport): void {
  const head = report.dryRun ? "dry run, nothing written; would have " : "";
  console.log(
    `${head}created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}, ` +
      `failed ${report.failed.length} (${plural(report.files, "page")} read)`,
  );
  if (report.created + report.updated === 0 && report.failed.length === 0 && report.files > 0) console.log("nothing to change");
  for (const w of report.warnings) console.log(`warning ${where(w.path, w.line)}: ${w.message}`);
  if (report.withoutSidecar.length) {
    console.log(`warning: ${plural(report.withoutSidecar.length, "page")} imported without a sidecar (no tags, no featured image; add <name>.json or a ${MANIFEST_FILE} entry):`);
    for (const file of report.withoutSidecar) console.log(`  ${file}`);
  }
  if (report.resolvedEarlier.length) {
    console.log(`${report.dryRun ? "would resolve" : "resolved"} ${plural(report.resolvedEarlier.length, "related link")} left open by earlier runs:`);
    for (const r of report.resolvedEarlier) console.log(`  ${r.source} → "${r.title}" (${r.date}), by ${r.path}`);
  }
  if (report.unresolvedRelated.length) {
    console.log(`${plural(report.unresolvedRelated.length, "related link")} not found in the database yet (kept; linked when the article arrives):`);
    for (const u of report.unresolvedRelated) console.log(`  ${where(u.path, u.line)}: "${u.title}" (${u.date})`);
  }
  for (const f of report.failed) console.error(`failed ${where(f.path, f.line)}: ${f.message}`);
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`seed: ${error.message}\n(see --help)`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }

  const config = loadConfig();
  const dataSource = await openDatabase(config.database);
  try {
    if (args.synthetic !== undefined) {
      const bar = progressBar("articles");
      const result = await generateSynthetic(dataSource, {
        articles: args.synthetic,
        authors: args.authors,
        tags: args.tags,
        seed: args.seed,
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.clear();
      if (args.json) console.log(JSON.stringify(result, null, 2));
      else {
        console.log(
          `created ${result.articles} synthetic articles (${result.authors} authors, ${result.tags} tags) in ${result.seconds.toFixed(2)} s: ` +
            `${Math.round(result.articlesPerSecond)} articles/s (search indexing ${result.indexSeconds.toFixed(2)} s)`,
        );
      }
      return 0;
    }

    const defaultSeeds = path.relative(process.cwd(), path.join(projectRoot, "seeds")) || ".";
    const bar = progressBar("pages");
    const report = await importPages(dataSource, args.paths.length ? args.paths : [defaultSeeds], {
      dryRun: args.dryRun,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.clear();
    if (args.json) console.log(JSON.stringify(report, null, 2));
    else printSummary(report);
    return report.failed.length ? 1 : 0;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error("seed failed:", error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
