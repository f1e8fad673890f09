/**
 * Another process holding SQLite's writer: `node hold-writer.js <file> <ms>` opens the file,
 * starts a write transaction, writes, prints `held <epoch ms>`, keeps the transaction open for
 * <ms>, commits and prints `released <epoch ms>`. What a long seed batch or `search:reindex`
 * does to a server writing beside it, without their variable length.
 */
import { betterSqlite3 } from "../../src/db/better-sqlite3";

const [file, msText] = process.argv.slice(2);
const db = new (betterSqlite3())(file, { timeout: 10_000 });
db.exec("BEGIN IMMEDIATE");
db.prepare("UPDATE tags SET name = name WHERE id = (SELECT MIN(id) FROM tags)").run();
console.log(`held ${Date.now()}`);
setTimeout(() => {
  db.exec("COMMIT");
  console.log(`released ${Date.now()}`);
  db.close();
}, Number(msText));
