-- A reader's history (lib/models/user-history.ts) is read on every personalised request
-- whose reader is not held in memory. Their ratings and interactions lie on as many heap
-- pages as they have rows (rows arrive in time order, across all readers); indexes that
-- carry every column the history reads let PostgreSQL answer from the index alone.
DROP INDEX "ratings_user_id_created_at_idx";
CREATE INDEX "ratings_user_id_created_at_book_id_rating_scale_idx" ON "ratings"("user_id", "created_at" DESC, "book_id", "rating", "scale");

DROP INDEX "interactions_user_id_occurred_at_idx";
CREATE INDEX "interactions_user_id_occurred_at_book_id_type_value_idx" ON "interactions"("user_id", "occurred_at", "book_id", "type", "value");
