import { fileCommand, OpsRefusal, restoreSqlite } from "../ops/backup";

const USAGE = `usage: npm run restore -- FILE [--json]

Replaces the SQLite database named by DATABASE_URL with the backup FILE, after checking the
backup (PRAGMA integrity_check and the full-text index's own check). Refuses while a server
or any other process has the database open. The replaced database is kept beside it as
<name>.before-restore-<time>.
Exit status: 0 restored, 1 refused or failed, 2 bad usage or a PostgreSQL database.`;

async function main(argv: string[]): Promise<number> {
  const command = fileCommand(argv, USAGE, "restore");
  if ("exit" in command) return command.exit;
  try {
    const report = await restoreSqlite(command.database, command.file);
    if (command.json) console.log(JSON.stringify(report));
    else {
      console.log(`restored ${report.file} into ${report.target}`);
      console.log(`  integrity_check ${report.integrity}, full-text index ${report.searchIndex}`);
      console.log(`  ${report.articles} articles (${report.published} published), ${report.authors} authors, ${report.tags} tags`);
      if (report.previous) console.log(`  the replaced database is kept at ${report.previous}`);
    }
    return 0;
  } catch (error) {
    console.error(error instanceof OpsRefusal ? `restore refused: ${error.message}` : `restore failed: ${(error as Error).message}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
