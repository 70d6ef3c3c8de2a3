import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";

export interface RecommendationLogEntry {
  requestId: string | null;
  userId: number | null;
  seedBookId: number | null;
  strategy: string;
  source: string;
  modelName: string | null;
  modelVersion: number | null;
  variantKey: string | null;
  bookIds: number[];
  scores: number[];
}

const FLUSH_EVERY_MS = 500;
const FLUSH_AT = 200;

/**
 * Every served list goes to recommendation_logs for evaluation and A/B analysis,
 * written in batches off the request path: a request only appends to a buffer.
 */
export class RecommendationLogWriter {
  private buffer: RecommendationLogEntry[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  written = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  append(entry: RecommendationLogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= FLUSH_AT) void this.flush();
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        await this.prisma.recommendationLog.createMany({ data: batch });
        this.written += batch.length;
      } catch (error) {
        // Losing a log batch must never fail or slow a request.
        this.logger.warn({ err: error, entries: batch.length }, "recommendation log write failed");
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
