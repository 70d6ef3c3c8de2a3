-- Anonymous recommendation lists are sampled: each logged row stands for 1/rate lists.
ALTER TABLE "recommendation_logs" ADD COLUMN "sample_weight" DOUBLE PRECISION NOT NULL DEFAULT 1;
