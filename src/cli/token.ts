import "reflect-metadata";
import { parseArgs } from "node:util";
import { systemClock } from "../clock";
import { loadConfig } from "../config";
import { openDatabase } from "../db/data-source";
import { Author } from "../entities/author.entity";
import { createToken, listTokens, revokeToken } from "../services/token.service";
import { Role } from "../viewer";

const USAGE = `usage:
  npm run token -- create --name NAME --role CONTRIBUTOR|AUTHOR|EDITOR|ADMIN [--author SLUG] [--expires-in-days N]
  npm run token -- list [--json]
  npm run token -- revoke <id|prefix>`;

const COLUMNS = ["ID", "PREFIX", "ROLE", "AUTHOR", "STATE", "NAME", "EXPIRES", "LAST USED"];

/** A header and columns padded to their widest cell; the last column is not padded. */
function printTable(rows: string[][]): void {
  const all = [COLUMNS, ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  for (const row of all) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd());
  if (rows.length === 0) console.log("(no tokens)");
}

/** Writes the secret alone on stdout (so scripts can capture it) and the rest on stderr. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      role: { type: "string" },
      author: { type: "string" },
      "expires-in-days": { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (!command || !["create", "list", "revoke"].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const dataSource = await openDatabase(loadConfig().database);
  try {
    const now = systemClock.now();
    if (command === "create") {
      const role = String(values.role ?? "").toUpperCase() as Role;
      const days = values["expires-in-days"];
      const { token, secret } = await createToken(
        dataSource,
        "console",
        { name: values.name ?? "", role, authorSlug: values.author ?? null, expiresInDays: days === undefined ? null : Number(days) },
        now,
      );
      console.error(`created token ${token.id} "${token.name}" (${token.role}${values.author ? `, author ${values.author}` : ""})${token.expiresAt ? `, expires ${token.expiresAt.toISOString()}` : ""}`);
      console.error("the secret is shown only now; store it:");
      console.log(secret);
    } else if (command === "list") {
      const tokens = await listTokens(dataSource, "console");
      const authors = new Map((await dataSource.getRepository(Author).find()).map((a) => [a.id, a.slug]));
      const rows = tokens.map((t) => ({
        id: t.id,
        prefix: t.tokenPrefix,
        role: t.role,
        author: t.authorId ? (authors.get(t.authorId) ?? String(t.authorId)) : null,
        state: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= now ? "expired" : "active",
        name: t.name,
        expiresAt: t.expiresAt?.toISOString() ?? null,
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      }));
      if (values.json) console.log(JSON.stringify(rows, null, 2));
      else printTable(rows.map((r) => [String(r.id), r.prefix, r.role, r.author ?? "-", r.state, r.name, r.expiresAt ?? "never", r.lastUsedAt ?? "never used"]));
    } else {
      if (positionals.length !== 1) {
        console.error(USAGE);
        return 2;
      }
      const token = await revokeToken(dataSource, "console", positionals[0], now);
      console.log(`revoked token ${token.id} "${token.name}"`);
    }
    return 0;
  } catch (error) {
    const extensions = (error as { extensions?: { fields?: Record<string, string> } }).extensions;
    console.error(`token ${command}: ${(error as Error).message}`);
    if (extensions?.fields) for (const [field, problem] of Object.entries(extensions.fields)) console.error(`  ${field}: ${problem}`);
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
