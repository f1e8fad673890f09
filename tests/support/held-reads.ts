import type { DataSource } from "typeorm";
import type { AppConfig } from "../../src/config";
import { openReadDatabase, type ReadDatabase } from "../../src/db/read-database";
import { readerWithHook } from "./slow-reads";

export interface HeldReads {
  /** Pass as `app.readDatabase` to startTestServer. */
  open: (config: AppConfig, writer: DataSource) => Promise<ReadDatabase>;
  /** From now on every statement waits before it runs, until `release`. */
  hold(): void;
  /** Lets every waiting statement run, and those that follow. */
  release(): void;
  /** Settles once `count` statements are waiting. */
  waitForHeld(count?: number): Promise<void>;
}

/**
 * The server's real reader (either engine), except that while held, statements wait before
 * they run: an operation stays in its resolvers for exactly as long as a test needs, on any
 * machine, instead of for as long as a slow statement happens to take. Nothing is mocked: once
 * released, every statement runs on the real database.
 */
export function heldReads(): HeldReads {
  let gate: Promise<void> | null = null;
  let open = () => {};
  let held = 0;
  const watchers = new Set<() => void>();
  return {
    hold() {
      if (gate) return;
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = null;
      open();
    },
    waitForHeld(count = 1) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${held} statements held, expected ${count}`)), 10_000);
        const check = () => {
          if (held < count) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
      });
    },
    async open(config, writer) {
      return readerWithHook(await openReadDatabase(config, writer), async () => {
        if (!gate) return;
        held++;
        for (const check of [...watchers]) check();
        try {
          await gate;
        } finally {
          held--;
        }
      });
    },
  };
}
