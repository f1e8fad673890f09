import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureDatabase, tempDatabaseHandle } from "../support/database";
import { MAIN_COMMAND, PROJECT_ROOT, SAMPLE_TITLE } from "../support/seed-cli";

const SLUG = "bertemu-di-pangkalan-antariksa-rusia-kim-jong-un-dan-vladimir-putin-bicarakan";

describe("npm start on an empty database", () => {
  test("loads seeds/ before serving, so the sample article is there", async (t) => {
    const databaseUrl = await ensureDatabase(tempDatabaseHandle("startup", { empty: true }));
    const server = spawn(process.execPath, [MAIN_COMMAND], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: "0", NODE_ENV: "development" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // SIGKILL: what is under test is start-up; graceful shutdown is not this test's concern.
    t.after(() => {
      server.kill("SIGKILL");
    });
    let output = "";
    server.stderr.on("data", (chunk) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
      server.stdout.on("data", (chunk) => {
        output += chunk;
        const match = /content API ready at (http:\/\/\S+\/graphql)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      server.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });

    const pages = fs.readdirSync(path.join(PROJECT_ROOT, "seeds")).filter((f) => f.endsWith(".txt")).length;
    assert.match(output, new RegExp(`^empty database: loaded ${pages} articles from seeds/ \\(0 failed, \\d+ related links unresolved\\)$`, "m"));

    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `query ($slug: String!) { article(slug: $slug) { title author { name } publishedAtText paragraphs } articles(first: 1) { totalCount } }`,
        variables: { slug: SLUG },
      }),
    });
    const body: any = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    const article = body.data.article;
    assert.equal(article.title, SAMPLE_TITLE);
    assert.equal(article.author.name, "Arpan Rachman");
    assert.equal(article.publishedAtText, "Rabu, 13 Sep 2023 19:59 WIB");
    assert.equal(article.paragraphs.length, 27);
    assert.ok(body.data.articles.totalCount >= 15, `a living site: ${body.data.articles.totalCount} published articles`);
  });
});
