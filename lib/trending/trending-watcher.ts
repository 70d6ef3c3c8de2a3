import type { Logger } from "../logger.ts";
import {
  sameRanking,
  TRENDING_WINDOW_NAMES,
  type TrendingEntry,
  type TrendingWindow,
} from "../events/trending-changed.ts";

export interface TrendingWatcherOptions {
  /** The window's current ranked list, straight from the interactions (never a cached copy). */
  compute(window: TrendingWindow): Promise<TrendingEntry[]>;
  /** Called with a window's new list when its ranking differs from the last one seen. */
  onChange(window: TrendingWindow, books: TrendingEntry[]): Promise<void>;
  logger: Logger;
  /** Windows slide even when nobody interacts: old interactions drop out, so lists are recomputed on this period too. */
  refreshMs: number;
}

interface WindowState {
  ranking: TrendingEntry[] | undefined;
  running: Promise<void> | undefined;
  /** An interaction arrived while the list was being computed: compute once more afterwards. */
  dirty: boolean;
}

/**
 * Keeps each window's trending list and reports when its ranking changes,
 * recomputing on interactions and periodically. Coalescing rather than a fixed
 * delay: an idle window is recomputed at once (the first view of a burst is pushed
 * without waiting), and however many interactions arrive while a computation runs,
 * they make one more run after it, not one each. The computation's own duration is
 * the only spacing, so a busy stream costs one query at a time per window.
 */
export class TrendingWatcher {
  readonly #options: TrendingWatcherOptions;
  readonly #windows = new Map<TrendingWindow, WindowState>();
  #refresh: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: TrendingWatcherOptions) {
    this.#options = options;
    for (const window of TRENDING_WINDOW_NAMES) {
      this.#windows.set(window, { ranking: undefined, running: undefined, dirty: false });
    }
  }

  /** Learns the current lists (without reporting them: nothing changed yet) and starts the periodic refresh. */
  async start(): Promise<void> {
    await Promise.all(TRENDING_WINDOW_NAMES.map((window) => this.#run(window, false)));
    this.#refresh = setInterval(() => this.interactionArrived(), this.#options.refreshMs);
    this.#refresh.unref();
  }

  /** An interaction counts in every window: each is recomputed now, or once after the run in progress. */
  interactionArrived(): void {
    for (const window of TRENDING_WINDOW_NAMES) this.#schedule(window);
  }

  #schedule(window: TrendingWindow): void {
    if (this.#stopped) return;
    const state = this.#windows.get(window)!;
    if (state.running) {
      state.dirty = true;
      return;
    }
    void this.#run(window, true);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#refresh);
    await Promise.allSettled([...this.#windows.values()].map((state) => state.running));
  }

  #run(window: TrendingWindow, report: boolean): Promise<void> {
    const state = this.#windows.get(window)!;
    state.dirty = false;
    state.running = (async () => {
      try {
        const books = await this.#options.compute(window);
        if (this.#stopped) return;
        const previous = state.ranking;
        if (report && previous && !sameRanking(previous, books)) await this.#options.onChange(window, books);
        // Only once reported: a change whose report failed is reported again on the next round.
        state.ranking = books;
      } catch (error) {
        // The next interaction or refresh tries again; a failed round must not stop the watcher.
        if (!this.#stopped) this.#options.logger.warn({ err: error, window }, "trending recomputation failed");
      }
    })();
    return state.running.finally(() => {
      state.running = undefined;
      if (state.dirty) this.#schedule(window);
    });
  }
}
