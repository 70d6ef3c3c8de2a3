import { LRUCache } from "lru-cache";
import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";
import {
  modelAccuracy,
  modelAccuracyRatio,
  modelProductionVersion,
  recommendationClicks,
  recommendationDiversity,
  recommendationImpressions,
} from "../../../lib/metrics/index.ts";
import type { ModelStore } from "./model-store.ts";
import type { ServedList } from "./served-list.ts";

/** What a reader sees first: clicks and diversity are measured on this prefix of a list. */
const SHOWN = 10;
/** A click counts for a list served to that reader this recently. */
const ATTRIBUTION_WINDOW_MS = 30 * 60_000;
const TRACKED_READERS = 50_000;
/** Interactions that mean the reader followed a recommendation. */
const CLICK_TYPES = new Set(["VIEW", "START_READING", "SHELVE"]);

interface Shown {
  readonly algorithm: string;
  readonly variant: string;
  readonly bookIds: Set<number>;
}

/**
 * The recommendations subgraph's business and model metrics in Prometheus:
 * impressions (lists shown to readers) and clicks (a shown book the reader then
 * opened, started or shelved) by algorithm and experiment variant, so CTR is
 * clicks / impressions; the diversity of what was shown; and the served models'
 * versions and offline accuracy. (Served and fallback counts are ServingMetrics'.)
 */
export class ListTelemetry {
  private readonly recent = new LRUCache<number, Shown[]>({ max: TRACKED_READERS, ttl: ATTRIBUTION_WINDOW_MS });
  private readonly reportedModels = new Set<string>();

  constructor(private readonly models: ModelStore) {}

  listServed(list: ServedList, variant: string, readerId: number | null, shownToReader: boolean): void {
    if (!shownToReader) return;
    recommendationImpressions.inc({ algorithm: list.algorithm, variant });
    const diversity = this.diversity(list);
    if (diversity !== null) recommendationDiversity.observe({ algorithm: list.algorithm }, diversity);
    if (readerId === null) return;
    const shown = this.recent.get(readerId) ?? [];
    shown.push({ algorithm: list.algorithm, variant, bookIds: new Set(list.items.slice(0, SHOWN).map((item) => item.bookId)) });
    // The last few lists are enough to attribute a click; older ones would only cost memory.
    this.recent.set(readerId, shown.slice(-5));
  }

  /** A reader's interaction: a click for every recent list that showed them that book (once per list). */
  interaction(event: { userId: number; bookId: number; type: string }): void {
    if (!CLICK_TYPES.has(event.type)) return;
    for (const shown of this.recent.get(event.userId) ?? []) {
      if (!shown.bookIds.delete(event.bookId)) continue;
      recommendationClicks.inc({ algorithm: shown.algorithm, variant: shown.variant });
    }
  }

  /** An erased reader's recent lists are personal data too. */
  forget(readerId: number): void {
    this.recent.delete(readerId);
  }

  /** After a model switch: the served versions, and the registry's accuracy of production and newest versions. */
  async modelsChanged(prisma: PrismaClient, logger: Logger): Promise<void> {
    const versions = this.models.versions();
    // Models no longer served report 0 rather than their last version.
    for (const name of this.reportedModels) if (!(name in versions)) modelProductionVersion.set({ model: name }, 0);
    // A production version that failed to load since start was never reported: 0 says it is not served.
    for (const name of Object.keys(this.models.missing())) {
      modelProductionVersion.set({ model: name }, 0);
      this.reportedModels.add(name);
    }
    for (const [name, version] of Object.entries(versions)) {
      modelProductionVersion.set({ model: name }, version ?? 0);
      this.reportedModels.add(name);
    }
    try {
      const rows = await prisma.$queryRaw<{ name: string; version: number; ndcg: number }[]>`
        SELECT name, version, (metrics->>'ndcgAt10')::float8 AS ndcg
        FROM model_versions
        WHERE metrics->>'ndcgAt10' IS NOT NULL
        ORDER BY name, version DESC`;
      const latest = new Map<string, number>();
      const served = new Map<string, number>();
      for (const row of rows) {
        if (!latest.has(row.name)) latest.set(row.name, row.ndcg);
        if (versions[row.name as keyof typeof versions] === row.version) served.set(row.name, row.ndcg);
      }
      for (const [name, ndcg] of served) {
        const newest = latest.get(name) ?? ndcg;
        modelAccuracy.set({ model: name, version_kind: "production" }, ndcg);
        modelAccuracy.set({ model: name, version_kind: "latest" }, newest);
        if (ndcg > 0) modelAccuracyRatio.set({ model: name }, newest / ndcg);
      }
    } catch (error) {
      logger.warn({ err: error }, "could not read model accuracy for metrics");
    }
  }

  /** 1 - mean pairwise cosine of the shown books' content embeddings; null without a content model. */
  private diversity(list: ServedList): number | null {
    const content = this.models.lease("content");
    if (!content) return null;
    try {
      const state = content.state.embeddings;
      if (!state) return null;
      const d = state.dimensions;
      const rows = list.items
        .slice(0, SHOWN)
        .map((item) => content.itemIndex.get(item.bookId))
        .filter((index): index is number => index !== undefined);
      if (rows.length < 2) return null;
      let total = 0;
      let pairs = 0;
      for (let a = 0; a < rows.length; a++)
        for (let b = a + 1; b < rows.length; b++) {
          let dot = 0;
          for (let f = 0; f < d; f++) dot += state.embeddings[rows[a]! * d + f]! * state.embeddings[rows[b]! * d + f]!;
          total += dot;
          pairs += 1;
        }
      return Math.min(1, Math.max(0, 1 - total / pairs));
    } finally {
      content.release();
    }
  }
}
