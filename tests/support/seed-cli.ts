import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DataSource } from "typeorm";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import type { ImportReport } from "../../src/import/importer";
import { ensureDatabase, tempDatabaseHandle } from "./database";

/** Compiled files: tests run from dist/tests/<dir>, the command from dist/src/cli. */
export const SEED_COMMAND = path.join(__dirname, "../../src/cli/seed.js");
export const MAIN_COMMAND = path.join(__dirname, "../../src/main.js");
export const PROJECT_ROOT = path.join(__dirname, "../../..");
export const SAMPLE_PATH = path.join(PROJECT_ROOT, "seeds/alinea-putin-kim-vostochny.txt");
export const sampleText = () => fs.readFileSync(SAMPLE_PATH, "utf8");

export const SAMPLE_TITLE = "Bertemu di pangkalan antariksa Rusia, Kim Jong-un dan Vladimir Putin bicarakan senjata";
export const SAMPLE_DATE = "Rabu, 13 Sep 2023 19:59 WIB";

export interface SeedRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real seed command as a child process against `dbFile` (a handle from tempDbFile). */
export async function runSeed(dbFile: string, args: string[], options: { cwd?: string } = {}): Promise<SeedRun> {
  const databaseUrl = await ensureDatabase(dbFile);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SEED_COMMAND, ...args],
      { cwd: options.cwd ?? PROJECT_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, maxBuffer: 20_000_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(new Error(`the seed command did not run: ${error.message}`, { cause: error }));
        resolve({ status: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** The same run with `--json`, returning the parsed report. */
export async function runSeedReport(dbFile: string, args: string[]): Promise<SeedRun & { report: ImportReport }> {
  const run = await runSeed(dbFile, ["--json", ...args]);
  let report: ImportReport;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`seed printed no JSON report (status ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return { ...run, report };
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `content-api-${label}-`));
}

/** A fresh database handle: a SQLite file path, or on the PostgreSQL pass a database URL (see tests/support/database.ts). */
export function tempDbFile(label: string): string {
  return tempDatabaseHandle(`${label}-db`);
}

/** Opens the database the command wrote to, for checks below the API. */
export async function withDatabase<T>(dbFile: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await openDatabase(loadConfig({ DATABASE_URL: await ensureDatabase(dbFile) }).database);
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

export interface PageVariant {
  title?: string;
  /** Replaces the byline date. */
  date?: string;
  author?: string;
  /** Title/date pairs for "Berita Lainnya", replacing the sample's list. */
  related?: { title: string; date: string }[];
  /** Appended after the last body paragraph. */
  extraParagraph?: string;
}

/** The sample page with its title, byline, body end or related list changed. */
export function samplePage(variant: PageVariant = {}): string {
  let text = sampleText();
  if (variant.title) text = text.split(SAMPLE_TITLE).join(variant.title);
  if (variant.date) text = text.replace(SAMPLE_DATE, variant.date);
  if (variant.author) text = text.split("Arpan Rachman").join(variant.author);
  if (variant.extraParagraph) text = text.replace("\n\nCaleg Pilihan", `\n\n${variant.extraParagraph}\n\nCaleg Pilihan`);
  if (variant.related) {
    const start = text.indexOf("Berita Lainnya");
    const list = variant.related.map((r) => `${r.title}\n\n${r.date}`).join("\n\n");
    text = `${text.slice(0, start)}Berita Lainnya\n\n${list}\n×\ntekid`;
  }
  return text;
}

export function writePage(dir: string, name: string, text: string | Buffer, sidecar?: Record<string, unknown>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  if (sidecar) fs.writeFileSync(file.replace(/\.txt$/, ".json"), JSON.stringify(sidecar, null, 2));
  return file;
}
