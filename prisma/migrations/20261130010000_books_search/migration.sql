-- AlterTable
ALTER TABLE "books" ADD COLUMN "search_document" tsvector;

-- CreateIndex
CREATE INDEX "books_search_document_idx" ON "books" USING GIN ("search_document");

-- CreateIndex
CREATE INDEX "books_title_trgm_idx" ON "books" USING GIN ("title" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "authors_name_trgm_idx" ON "authors" USING GIN ("name" gin_trgm_ops);

-- Search document maintenance (written by hand: Prisma cannot model functions or triggers).
-- The document of a book weighs its title and subtitle A, its authors' names B, its
-- genres/tags C and the start of its description D. Every table that feeds it keeps it
-- current, so writers (resolvers, importer, seeder) never have to remember to.
CREATE FUNCTION "book_search_document"(p_book_id INTEGER, p_title TEXT, p_subtitle TEXT, p_description TEXT)
RETURNS tsvector
LANGUAGE sql STABLE
AS $$
  SELECT setweight(to_tsvector('english', coalesce(p_title, '') || ' ' || coalesce(p_subtitle, '')), 'A')
      || setweight(to_tsvector('english', coalesce((
           SELECT string_agg(a."name", ' ' ORDER BY ba."position")
             FROM "book_authors" ba JOIN "authors" a ON a."id" = ba."author_id"
            WHERE ba."book_id" = p_book_id), '')), 'B')
      || setweight(to_tsvector('english', coalesce((
           SELECT string_agg(g."name", ' ')
             FROM "book_genres" bg JOIN "genres" g ON g."id" = bg."genre_id"
            WHERE bg."book_id" = p_book_id), '')), 'C')
      -- Long descriptions cost index size and write time for little ranking value.
      || setweight(to_tsvector('english', left(coalesce(p_description, ''), 2000)), 'D')
$$;

CREATE FUNCTION "books_refresh_own_search_document"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW."search_document" := "book_search_document"(NEW."id", NEW."title", NEW."subtitle", NEW."description");
  RETURN NEW;
END;
$$;

CREATE TRIGGER "books_search_document_on_write"
  BEFORE INSERT OR UPDATE OF "title", "subtitle", "description" ON "books"
  FOR EACH ROW EXECUTE FUNCTION "books_refresh_own_search_document"();

-- Recomputes the documents of the given books, writing only those that changed: a re-import
-- that rewrites identical links (or only their weights) leaves the books rows untouched.
CREATE FUNCTION "books_refresh_search_documents"(p_book_ids INTEGER[]) RETURNS void
LANGUAGE sql
AS $$
  UPDATE "books" b SET "search_document" = fresh.document
    FROM (SELECT x."id", "book_search_document"(x."id", x."title", x."subtitle", x."description") AS document
            FROM "books" x WHERE x."id" = ANY(p_book_ids)) AS fresh
   WHERE b."id" = fresh."id" AND b."search_document" IS DISTINCT FROM fresh.document;
$$;

-- Link tables change in bulk (imports, merges): one UPDATE per statement, not per row.
CREATE FUNCTION "books_refresh_linked_search_documents"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "books_refresh_search_documents"(ARRAY(SELECT DISTINCT "book_id" FROM new_links));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM "books_refresh_search_documents"(ARRAY(SELECT DISTINCT "book_id" FROM old_links));
  ELSE
    PERFORM "books_refresh_search_documents"(ARRAY(SELECT "book_id" FROM old_links UNION SELECT "book_id" FROM new_links));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "book_authors_search_on_insert" AFTER INSERT ON "book_authors"
  REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION "books_refresh_linked_search_documents"();
CREATE TRIGGER "book_authors_search_on_update" AFTER UPDATE ON "book_authors"
  REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION "books_refresh_linked_search_documents"();
CREATE TRIGGER "book_authors_search_on_delete" AFTER DELETE ON "book_authors"
  REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION "books_refresh_linked_search_documents"();

CREATE TRIGGER "book_genres_search_on_insert" AFTER INSERT ON "book_genres"
  REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION "books_refresh_linked_search_documents"();
CREATE TRIGGER "book_genres_search_on_update" AFTER UPDATE ON "book_genres"
  REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION "books_refresh_linked_search_documents"();
CREATE TRIGGER "book_genres_search_on_delete" AFTER DELETE ON "book_genres"
  REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION "books_refresh_linked_search_documents"();

-- A renamed author or genre changes the documents of all its books.
CREATE FUNCTION "authors_refresh_search_documents"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM "books_refresh_search_documents"(ARRAY(SELECT ba."book_id" FROM "book_authors" ba WHERE ba."author_id" = NEW."id"));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "authors_search_on_rename" AFTER UPDATE OF "name" ON "authors"
  FOR EACH ROW WHEN (OLD."name" IS DISTINCT FROM NEW."name") EXECUTE FUNCTION "authors_refresh_search_documents"();

CREATE FUNCTION "genres_refresh_search_documents"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM "books_refresh_search_documents"(ARRAY(SELECT bg."book_id" FROM "book_genres" bg WHERE bg."genre_id" = NEW."id"));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "genres_search_on_rename" AFTER UPDATE OF "name" ON "genres"
  FOR EACH ROW WHEN (OLD."name" IS DISTINCT FROM NEW."name") EXECUTE FUNCTION "genres_refresh_search_documents"();

-- Books that existed before this migration.
UPDATE "books" SET "search_document" = "book_search_document"("id", "title", "subtitle", "description");

-- Search candidates and their relevance signals (written by hand). A book is a candidate
-- when its document matches the query, or when a query word is trigram-close to a word of
-- its title or of an author's name: "hary poter" and "teh hobit" still find their books.
-- The SET clause gives the <% operator (GIN-indexed) a per-word threshold without touching
-- the session, and keeps JIT compilation (tens of ms) off a query that runs in a few.
-- Words shorter than 3 letters and stop words carry no fuzzy signal.
CREATE FUNCTION "search_book_candidates"(p_query TEXT)
RETURNS TABLE (
  "book_id" INTEGER,
  "text_match" BOOLEAN,
  "text_rank" DOUBLE PRECISION,
  "title_similarity" DOUBLE PRECISION,
  "whole_title_similarity" DOUBLE PRECISION,
  "author_similarity" DOUBLE PRECISION,
  "ratings_count" INTEGER
)
LANGUAGE sql STABLE
ROWS 200
SET pg_trgm.word_similarity_threshold = 0.5
SET jit = off
AS $$
  WITH query AS (
    SELECT websearch_to_tsquery('english', p_query) AS ts
  ), words AS (
    SELECT DISTINCT w FROM unnest(regexp_split_to_array(lower(p_query), '[^[:alnum:]]+')) AS w
     WHERE length(w) >= 3 AND to_tsvector('english', w) <> ''::tsvector
  ), word_count AS (
    SELECT greatest(count(*), 1)::float8 AS n FROM words
  ), text_hits AS (
    -- Normalisation 32 maps the cover-density rank into [0, 1).
    SELECT b."id", ts_rank_cd(b."search_document", query.ts, 32)::float8 AS rank
      FROM "books" b, query
     WHERE b."search_document" @@ query.ts
  ), title_hits AS (
    SELECT DISTINCT b."id" FROM words JOIN "books" b ON words.w <% b."title"
  ), author_words AS (
    SELECT ba."book_id", words.w, max(word_similarity(words.w, a."name"))::float8 AS sim
      FROM words
      JOIN "authors" a ON words.w <% a."name"
      JOIN "book_authors" ba ON ba."author_id" = a."id"
     GROUP BY ba."book_id", words.w
  ), author_hits AS (
    SELECT aw."book_id" AS "id", sum(aw.sim) / (SELECT n FROM word_count) AS sim FROM author_words aw GROUP BY aw."book_id"
  ), candidates AS (
    SELECT "id" FROM text_hits UNION SELECT "id" FROM title_hits UNION SELECT "id" FROM author_hits
  )
  SELECT c."id",
         t."id" IS NOT NULL,
         coalesce(t.rank, 0),
         coalesce((SELECT sum(word_similarity(words.w, b."title")) FROM words) / (SELECT n FROM word_count), 0)::float8,
         similarity(lower(b."title"), lower(p_query))::float8,
         coalesce(ah.sim, 0),
         b."ratings_count"
    FROM candidates c
    JOIN "books" b ON b."id" = c."id"
    LEFT JOIN text_hits t ON t."id" = c."id"
    LEFT JOIN author_hits ah ON ah."id" = c."id"
$$;
