import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { projectRoot } from "../../src/config";
import { renderSchema } from "../../src/cli/print-schema";

/**
 * `npm run build` rewrites schema.graphql, so the working file is always fresh after a build;
 * what can go stale is the committed copy clients read. Compare against that when git is here.
 */
function committedSchema(): string {
  try {
    return execFileSync("git", ["show", "HEAD:schema.graphql"], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return fs.readFileSync(path.join(projectRoot, "schema.graphql"), "utf8");
  }
}

it("schema.graphql is committed in sync with the decorated classes", async () => {
  const rendered = await renderSchema();
  assert.equal(committedSchema(), rendered, "schema.graphql is stale: run `npm run build` and commit schema.graphql");
});
