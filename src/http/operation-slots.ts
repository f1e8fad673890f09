import type { AppConfig } from "../config";

/** How a request's wait for a slot ended. */
export type SlotOutcome = "granted" | "queue full" | "timed out" | "cancelled";

export interface SlotTicket {
  /** Settles once: at once when a slot is free or the queue is full, otherwise when one frees up, the deadline passes or the ticket is released. */
  readonly outcome: Promise<SlotOutcome>;
  /** Gives the slot back, or leaves the queue while still waiting; safe to call more than once. */
  readonly release: () => void;
}

const settled = (outcome: SlotOutcome): SlotTicket => ({ outcome: Promise.resolve(outcome), release: () => {} });

/**
 * How many GraphQL operations run at once in this process, the rest waiting their turn in
 * arrival order. Each operation's reads run off the event loop, but resolving and serialising
 * their answers does not: fifty operations admitted together finish together, and the event
 * loop then spends one long stretch on them while health checks and everyone else wait.
 *
 * Written here rather than taken from p-limit or p-queue: their maintained versions are ESM-only
 * (this build is CommonJS), and neither bounds its queue nor gives a waiter a deadline, which is
 * what answering 503 instead of late needs; a slot is also not a task to run, since Apollo
 * executes the operation after the plugin hook that waits has returned.
 */
export class OperationSlots {
  private running = 0;
  /** Insertion-ordered, so the oldest waiter is first and a waiter that gives up leaves in O(1). */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly settings: AppConfig["operations"]) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.size;
  }

  /** `waitMs` (default: the queue's deadline) is how long this request may still wait, when it has waited elsewhere already. */
  take(waitMs = this.settings.queueTimeoutMs): SlotTicket {
    const { maxConcurrent, maxQueued } = this.settings;
    if (maxConcurrent <= 0) return settled("granted");
    if (this.running < maxConcurrent) {
      this.running++;
      let held = true;
      const release = () => {
        if (held) this.handOver();
        held = false;
      };
      return { outcome: Promise.resolve("granted"), release };
    }
    if (this.waiting.size >= maxQueued) return settled("queue full");

    let state: "waiting" | "running" | "done" = "waiting";
    let timer: NodeJS.Timeout | undefined;
    let settle: (outcome: SlotOutcome) => void = () => {};
    const outcome = new Promise<SlotOutcome>((resolve) => (settle = resolve));
    const leave = (next: "running" | "done", why: SlotOutcome) => {
      this.waiting.delete(grant);
      clearTimeout(timer);
      state = next;
      settle(why);
    };
    // Called by handOver with the slot already counted as this waiter's.
    const grant = () => leave("running", "granted");
    if (waitMs > 0) timer = setTimeout(() => leave("done", "timed out"), waitMs);
    this.waiting.add(grant);
    const release = () => {
      if (state === "running") this.handOver();
      if (state === "waiting") leave("done", "cancelled");
      state = "done";
    };
    return { outcome, release };
  }

  /** The freed slot goes straight to the oldest waiter, so a newcomer never overtakes the queue. */
  private handOver() {
    const next = this.waiting.values().next();
    if (next.done) this.running--;
    else next.value();
  }
}
