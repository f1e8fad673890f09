import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { AppConfig } from "../config";
import type { ReadDatabase } from "../db/read-database";

const RESOLUTION_MS = 10;
const WINDOW_MS = 1_000;

/**
 * Says when the server is too far behind to take more GraphQL work: page reads waiting for a
 * read worker (`SHED_QUEUE_DEPTH`), or the event loop lagging (`SHED_EVENT_LOOP_DELAY_MS`, the
 * 90th percentile of its delay over the last one to two seconds: a lone pause, such as a
 * garbage collection, does not trip it; a loop that is behind on every turn does). A request
 * refused at the door costs almost nothing; one admitted into a backlog makes every request
 * behind it later, health checks included. 0 turns a signal off.
 */
export class LoadShedder {
  private readonly histogram: IntervalHistogram | null;
  private readonly timer: NodeJS.Timeout | null;
  private previousMs = 0;

  constructor(
    private readonly settings: AppConfig["shedding"],
    private readonly reader: Pick<ReadDatabase, "queued">,
  ) {
    if (settings.eventLoopDelayMs > 0) {
      this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      this.histogram.enable();
      this.timer = setInterval(() => {
        this.previousMs = this.currentMs();
        this.histogram!.reset();
      }, WINDOW_MS);
      this.timer.unref();
    } else {
      this.histogram = null;
      this.timer = null;
    }
  }

  /** The histogram counts the timer's own interval in each sample; only the excess is delay. */
  private currentMs(): number {
    return this.histogram && this.histogram.count > 0 ? Math.max(0, this.histogram.percentile(90) / 1e6 - RESOLUTION_MS) : 0;
  }

  get eventLoopDelayMs(): number {
    return Math.max(this.previousMs, this.currentMs());
  }

  /** Why new work should be refused now, or null when it may come in. */
  overloaded(): "read queue" | "event loop" | null {
    const { queueDepth, eventLoopDelayMs } = this.settings;
    if (queueDepth > 0 && this.reader.queued >= queueDepth) return "read queue";
    if (eventLoopDelayMs > 0 && this.eventLoopDelayMs >= eventLoopDelayMs) return "event loop";
    return null;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram?.disable();
  }
}
