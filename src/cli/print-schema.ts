import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { printSchema } from "graphql";
import { projectRoot } from "../config";
import { buildAppSchema } from "../graphql/schema";

/** Writes schema.graphql from the decorated classes; `npm run build` runs it, a test checks the file is current. */
export async function renderSchema(): Promise<string> {
  return `${printSchema(await buildAppSchema())}\n`;
}

if (require.main === module) {
  renderSchema()
    .then((sdl) => fs.writeFileSync(path.join(projectRoot, "schema.graphql"), sdl))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
