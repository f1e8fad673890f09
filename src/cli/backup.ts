import { fileCommand, backupSqlite, OpsRefusal } from "../ops/backup";

const USAGE = `usage: npm run backup -- FILE [--json]

Copies the SQLite database named by DATABASE_URL to FILE while the server keeps running and
writing; the copy is the database as of one instant. FILE must not exist yet.
Exit status: 0 written, 1 refused or failed, 2 bad usage or a PostgreSQL database.`;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function main(argv: string[]): Promise<number> {
  const command = fileCommand(argv, USAGE, "backup");
  if ("exit" in command) return command.exit;
  try {
    const report = await backupSqlite(command.database, command.file);
    if (command.json) console.log(JSON.stringify(report));
    else {
      console.log(`backup written: ${report.file} (${mb(report.bytes)}, in ${report.seconds} s)`);
      console.log(`  ${report.articles} articles (${report.published} published), ${report.authors} authors, ${report.tags} tags`);
      console.log(`  as committed at ${report.snapshotAt}; restore with: npm run restore -- ${report.file}`);
    }
    return 0;
  } catch (error) {
    console.error(error instanceof OpsRefusal ? `backup refused: ${error.message}` : `backup failed: ${(error as Error).message}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
