import fs from "node:fs";
import path from "node:path";
import type { DataSource } from "typeorm";
import { projectRoot } from "../config";
import { withStartupLock } from "../db/startup-lock";
import { importPages } from "./importer";

/** The first start on an empty database loads seeds/, so the first look at the API shows content. */
export async function seedIfEmpty(dataSource: DataSource, seedsDir = path.join(projectRoot, "seeds")): Promise<void> {
  // Under the start-up lock, so of several instances starting on one empty PostgreSQL
  // database exactly one loads the pages and the others then see them.
  await withStartupLock(dataSource, () => loadIfEmpty(dataSource, seedsDir));
}

async function loadIfEmpty(dataSource: DataSource, seedsDir: string): Promise<void> {
  // Deleted articles count: an editor who deleted everything does not want the samples back.
  const [row] = await dataSource.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM articles`);
  if (Number(row.n) > 0 || !fs.existsSync(seedsDir)) return;

  const report = await importPages(dataSource, [seedsDir]);
  const shown = path.relative(process.cwd(), seedsDir) || seedsDir;
  console.log(
    `empty database: loaded ${report.created} articles from ${shown}/` +
      ` (${report.failed.length} failed, ${report.unresolvedRelated.length} related links unresolved)`,
  );
  for (const failure of report.failed) console.warn(`  failed ${failure.path}:${failure.line}: ${failure.message}`);
}
