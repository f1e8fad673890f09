import fs from "node:fs";
import path from "node:path";

/**
 * The Node flags `npm start` runs the server with (package.json's start script), so every
 * benchmark starts the server as operators do. Read from the script rather than repeated here:
 * a server started otherwise would be measured under a runtime nobody runs.
 */
export function startNodeFlags(root: string): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const match = /^node((?:\s+--\S+)*)\s+dist\/src\/main\.js$/.exec(scripts.start);
  if (!match) throw new Error(`package.json's start script is not "node [--flag ...] dist/src/main.js": ${scripts.start}`);
  return match[1].split(/\s+/).filter(Boolean);
}
