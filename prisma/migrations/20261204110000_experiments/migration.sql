-- Experiments that route readers to recommendation strategies (issue 10).

-- CreateEnum
CREATE TYPE "ExperimentSurface" AS ENUM ('USER_RECOMMENDATIONS', 'SIMILAR_BOOKS');

-- AlterTable
ALTER TABLE "experiments"
    ADD COLUMN "surface" "ExperimentSurface" NOT NULL DEFAULT 'USER_RECOMMENDATIONS',
    ADD COLUMN "layer" TEXT,
    ADD COLUMN "targeting" JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN "primary_metric" TEXT NOT NULL DEFAULT 'CTR',
    ADD COLUMN "guardrail_metrics" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "experiment_variants"
    ADD COLUMN "strategy" TEXT,
    ADD COLUMN "model_version" INTEGER;

-- AlterTable
ALTER TABLE "experiment_assignments" ADD COLUMN "pre_period_activity" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "experiment_events" ADD COLUMN "list_id" UUID;

-- CreateTable
CREATE TABLE "experiment_exposures" (
    "list_id" UUID NOT NULL,
    "experiment_id" INTEGER NOT NULL,
    "variant_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "book_ids" INTEGER[],
    "served_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "experiment_exposures_pkey" PRIMARY KEY ("list_id")
);

-- CreateIndex
CREATE INDEX "experiments_surface_status_idx" ON "experiments"("surface", "status");

-- CreateIndex
CREATE INDEX "experiment_events_list_id_book_id_type_occurred_at_idx" ON "experiment_events"("list_id", "book_id", "type", "occurred_at");

-- CreateIndex
CREATE INDEX "experiment_exposures_experiment_id_variant_id_idx" ON "experiment_exposures"("experiment_id", "variant_id");

-- CreateIndex
CREATE INDEX "experiment_exposures_user_id_idx" ON "experiment_exposures"("user_id");

-- AddForeignKey
ALTER TABLE "experiment_exposures" ADD CONSTRAINT "experiment_exposures_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_exposures" ADD CONSTRAINT "experiment_exposures_variant_id_fkey" FOREIGN KEY ("variant_id") REFERENCES "experiment_variants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_exposures" ADD CONSTRAINT "experiment_exposures_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
