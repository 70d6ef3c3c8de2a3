/**
 * A circuit breaker for an optional dependency (Redis): after `failureThreshold`
 * consecutive failures it opens and callers skip the dependency at once instead of
 * each paying a timeout; after `openMs` one call is let through as a probe
 * (half-open), and its outcome closes or reopens the circuit.
 *
 * Hand-written rather than a library: the state machine is a few lines, and the
 * callers need one synchronous question ("may I try?") on the hot path, plus a
 * way for the client's own reconnect event to close the circuit early.
 */
export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe is let through. */
  openMs: number;
  /** Called on every state change (logging, metrics). */
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  now?: () => number;
}

export class CircuitOpenError extends Error {
  constructor(readonly dependency: string) {
    super(`${dependency} is unavailable (circuit open)`);
    this.name = "CircuitOpenError";
  }
}

export class CircuitBreaker {
  private current: CircuitState = "closed";
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probing = false;
  /** Calls refused while open: how much work the breaker saved. */
  rejected = 0;
  private readonly now: () => number;

  constructor(
    readonly dependency: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.current === "open" && this.now() - this.openedAt >= this.options.openMs) this.transition("half-open");
    return this.current;
  }

  /** Whether a call may go to the dependency now; in half-open only one probe at a time. */
  allows(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "half-open" && !this.probing) {
      this.probing = true;
      return true;
    }
    this.rejected += 1;
    return false;
  }

  succeeded(): void {
    this.probing = false;
    this.consecutiveFailures = 0;
    if (this.current !== "closed") this.transition("closed");
  }

  failed(): void {
    this.probing = false;
    this.consecutiveFailures += 1;
    if (this.current === "half-open" || (this.current === "closed" && this.consecutiveFailures >= this.options.failureThreshold)) {
      this.openedAt = this.now();
      this.transition("open");
    } else if (this.current === "open") {
      this.openedAt = this.now();
    }
  }

  /** Runs `work` through the breaker: refused at once with CircuitOpenError while open. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.allows()) throw new CircuitOpenError(this.dependency);
    try {
      const result = await work();
      this.succeeded();
      return result;
    } catch (error) {
      this.failed();
      throw error;
    }
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
