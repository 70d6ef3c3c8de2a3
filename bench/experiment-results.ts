/**
 * `npx tsx bench/experiment-results.ts [events]`: how long Experiment.results takes
 * over many events (default 10,000,000 on PostgreSQL when DATABASE_URL is set; on
 * the embedded PGlite, which holds everything in this process's memory, 1,000,000
 * unless given). A scratch database gets 100,000 readers split 50/50 between two
 * variants and the events (impressions, clicks with a planted 10% CTR lift, a few
 * conversions), generated in SQL, with the per-reader counters trackEvent keeps.
 * Then, three times each, side by side: the per-variant sums from the counters (what
 * Experiment.results reads), the same sums recomputed from the raw events, and the
 * statistics in TypeScript, with the lift found for the record.
 */
import { performance } from "node:perf_hooks";
import { applyMigrations } from "../lib/db/migrate.ts";
import { analyse } from "../lib/experiments/statistics/analyse.ts";
import { variantCounts, variantCountsFromEvents } from "../subgraphs/experiments/results-query.ts";
import { databaseTargets } from "../test/support/databases.ts";

const READERS = Number(process.env.BENCH_READERS ?? 100_000);
const RUNS = 3;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const only = process.env.BENCH_TARGET;
for (const target of databaseTargets().reverse().filter((t) => !only || t.name === only)) {
  const events = Number(process.argv[2] ?? (target.name === "postgres" ? 10_000_000 : 1_000_000));
  const database = await target.create();
  try {
    const { db } = database;
    await applyMigrations(db);
    const loadStarted = performance.now();
    await db.withConnection(async (connection) => {
      // Bulk load: the generated rows satisfy the foreign keys by construction.
      await connection.exec("SET session_replication_role = replica");
      await connection.query(
        `INSERT INTO users (id, display_name) SELECT g, 'reader ' || g FROM generate_series(1, $1::int) g`,
        [READERS],
      );
      await connection.exec(`INSERT INTO experiments (id, key, name, status, started_at) VALUES (1, 'bench', 'bench', 'RUNNING', now())`);
      await connection.exec(`INSERT INTO experiment_variants (id, experiment_id, key, name, weight, strategy) VALUES (1, 1, 'control', 'control', 1, 'POPULARITY'), (2, 1, 'treatment', 'treatment', 1, 'CF')`);
      await connection.query(
        `INSERT INTO experiment_assignments (experiment_id, variant_id, user_id, pre_period_activity)
         SELECT 1, 1 + (g % 2), g, floor(random() * 20) FROM generate_series(1, $1::int) g`,
        [READERS],
      );
      await connection.query(
        `INSERT INTO experiment_events (experiment_id, variant_id, user_id, type, occurred_at)
         SELECT 1, 1 + (u % 2), u,
                CASE WHEN r < CASE WHEN u % 2 = 1 THEN 0.11 ELSE 0.10 END THEN 'CLICK'
                     WHEN r > 0.99 THEN 'ADD_TO_SHELF' ELSE 'IMPRESSION' END,
                now()
         FROM (SELECT 1 + (g % $2::int) AS u, random() AS r FROM generate_series(1, $1::int) g) e`,
        [events, READERS],
      );
      // What trackEvent's counters hold after these events.
      await connection.exec(
        `UPDATE experiment_assignments a SET impressions = c.i, clicks = c.c, shelved = c.s
         FROM (SELECT user_id, count(*) FILTER (WHERE type = 'IMPRESSION') i, count(*) FILTER (WHERE type = 'CLICK') c,
                      count(*) FILTER (WHERE type = 'ADD_TO_SHELF') s
               FROM experiment_events GROUP BY user_id) c
         WHERE a.user_id = c.user_id`,
      );
      await connection.exec("SET session_replication_role = DEFAULT");
      await connection.exec("ANALYZE experiment_events; ANALYZE experiment_assignments");
    });
    console.log(`${target.name}: ${events.toLocaleString("en")} events, ${READERS.toLocaleString("en")} readers, generated in ${seconds(performance.now() - loadStarted)}`);
    for (let run = 1; run <= RUNS; run++) {
      const eventsStarted = performance.now();
      const fromEvents = await variantCountsFromEvents(db.prisma, 1);
      const eventsMs = performance.now() - eventsStarted;
      const sqlStarted = performance.now();
      const counts = await variantCounts(db.prisma, 1);
      const sqlMs = performance.now() - sqlStarted;
      if (JSON.stringify([...counts.values()].map((c) => c.sums)) !== JSON.stringify([...fromEvents.values()].map((c) => c.sums))) {
        throw new Error("the counters disagree with the events");
      }
      const statsStarted = performance.now();
      const analysis = analyse([
        { key: "control", weight: 1, sums: counts.get(1)!.sums },
        { key: "treatment", weight: 1, sums: counts.get(2)!.sums },
      ]);
      const statsMs = performance.now() - statsStarted;
      const lift = analysis.variants[1]!.lift!;
      console.log(
        `  run ${run}: sums from reader counters ${seconds(sqlMs)}, from raw events ${seconds(eventsMs)} (${(eventsMs / sqlMs).toFixed(0)}x), statistics ${statsMs.toFixed(2)} ms; ` +
          `CTR lift ${(100 * lift.value).toFixed(1)}% [${(100 * lift.low).toFixed(1)}%, ${(100 * lift.high).toFixed(1)}%], ` +
          `SRM p=${analysis.sampleRatioMismatch.pValue.toFixed(3)}`,
      );
    }
  } finally {
    await database.drop();
  }
}
