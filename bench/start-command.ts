import fs from "node:fs";
import path from "node:path";

const ENTRY = "dist/src/main.js";

/**
 * The Node flags `npm start` runs the server with (package.json's start script). Read from the
 * script rather than repeated here, so a benchmark measures the server under the runtime
 * settings operators get.
 */
export function startNodeFlags(root: string): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const match = /^node((?:\s+--\S+)*)\s+(\S+)$/.exec(scripts.start);
  if (!match || match[2] !== ENTRY) throw new Error(`package.json's start script is not "node [--flag ...] ${ENTRY}": ${scripts.start}`);
  return match[1].split(/\s+/).filter(Boolean);
}

/** The arguments to give `process.execPath` to start the server as `npm start` does. */
export function startCommandArgs(root: string): string[] {
  return [...startNodeFlags(root), path.join(root, ENTRY)];
}
