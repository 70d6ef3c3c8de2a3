import type { Logger } from "../../../lib/logger.ts";

/** One line per reason per minute: a missing model makes every request fall back, and the log must say why without repeating it per request. */
const QUIET_MS = 60_000;

/**
 * Says in the log why answers are served by a fallback (which model is missing and
 * why), once per reason per minute with how many times it happened meanwhile. The
 * response itself says which fallback served (`source`, `algorithm`); the serving
 * metrics count each reason.
 */
export class FallbackLog {
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  note(reason: string, details: () => Record<string, unknown>): void {
    const last = this.lastLogged.get(reason);
    if (last && this.now() - last.at < QUIET_MS) {
      last.suppressed += 1;
      return;
    }
    this.logger.warn({ reason, ...details(), sinceLastLine: last?.suppressed ?? 0 }, "serving a fallback instead of the model");
    this.lastLogged.set(reason, { at: this.now(), suppressed: 0 });
  }
}
