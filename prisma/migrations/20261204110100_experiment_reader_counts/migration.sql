-- Per-reader event counters, kept by trackEvent(s) in the same statement that records
-- the events, so Experiment.results reads one row per reader instead of every event.

-- AlterTable
ALTER TABLE "experiment_assignments"
    ADD COLUMN "impressions" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "clicks" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "shelved" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "rated" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "purchased" INTEGER NOT NULL DEFAULT 0;
