/**
 * `npx tsx bench/experiment-results.ts [events]`: how long Experiment.results takes
 * over many events (default 10,000,000 on PostgreSQL when DATABASE_URL is set; on
 * the embedded PGlite, which holds everything in this process's memory, 1,000,000
 * unless given). A scratch database gets 100,000 readers split 50/50 between two
 * variants and the events (impressions, clicks with a planted 10% CTR lift, a few
 * conversions), generated in SQL. Then the results are computed as the resolver
 * does, three times: the SQL aggregation (events -> readers -> per-variant sums) and
 * the statistics in TypeScript are timed apart, with the lift found for the record.
 */
import { performance } from "node:perf_hooks";
import { applyMigrations } from "../lib/db/migrate.ts";
import { analyse } from "../lib/experiments/statistics/analyse.ts";
import { variantCounts } from "../subgraphs/experiments/results-query.ts";
import { databaseTargets } from "../test/support/databases.ts";

const READERS = Number(process.env.BENCH_READERS ?? 100_000);
const RUNS = 3;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

for (const target of databaseTargets().reverse()) {
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
      await connection.exec("SET session_replication_role = DEFAULT");
      await connection.exec("ANALYZE experiment_events; ANALYZE experiment_assignments");
    });
    console.log(`${target.name}: ${events.toLocaleString("en")} events, ${READERS.toLocaleString("en")} readers, generated in ${seconds(performance.now() - loadStarted)}`);
    for (let run = 1; run <= RUNS; run++) {
      const sqlStarted = performance.now();
      const counts = await variantCounts(db.prisma, 1);
      const sqlMs = performance.now() - sqlStarted;
      const statsStarted = performance.now();
      const analysis = analyse([
        { key: "control", weight: 1, sums: counts.get(1)!.sums },
        { key: "treatment", weight: 1, sums: counts.get(2)!.sums },
      ]);
      const statsMs = performance.now() - statsStarted;
      const lift = analysis.variants[1]!.lift!;
      console.log(
        `  run ${run}: SQL aggregation ${seconds(sqlMs)}, statistics ${statsMs.toFixed(2)} ms; ` +
          `CTR lift ${(100 * lift.value).toFixed(1)}% [${(100 * lift.low).toFixed(1)}%, ${(100 * lift.high).toFixed(1)}%], ` +
          `SRM p=${analysis.sampleRatioMismatch.pValue.toFixed(3)}`,
      );
    }
  } finally {
    await database.drop();
  }
}
