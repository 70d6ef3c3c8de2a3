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

-- Link tables change in bulk (imports, merges): one UPDATE per statement, not per row.
CREATE FUNCTION "books_refresh_linked_search_documents"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "books" b SET "search_document" = "book_search_document"(b."id", b."title", b."subtitle", b."description")
     WHERE b."id" IN (SELECT "book_id" FROM new_links);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "books" b SET "search_document" = "book_search_document"(b."id", b."title", b."subtitle", b."description")
     WHERE b."id" IN (SELECT "book_id" FROM old_links);
  ELSE
    UPDATE "books" b SET "search_document" = "book_search_document"(b."id", b."title", b."subtitle", b."description")
     WHERE b."id" IN (SELECT "book_id" FROM old_links UNION SELECT "book_id" FROM new_links);
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
  UPDATE "books" b SET "search_document" = "book_search_document"(b."id", b."title", b."subtitle", b."description")
   WHERE b."id" IN (SELECT ba."book_id" FROM "book_authors" ba WHERE ba."author_id" = NEW."id");
  RETURN NULL;
END;
$$;

CREATE TRIGGER "authors_search_on_rename" AFTER UPDATE OF "name" ON "authors"
  FOR EACH ROW WHEN (OLD."name" IS DISTINCT FROM NEW."name") EXECUTE FUNCTION "authors_refresh_search_documents"();

CREATE FUNCTION "genres_refresh_search_documents"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE "books" b SET "search_document" = "book_search_document"(b."id", b."title", b."subtitle", b."description")
   WHERE b."id" IN (SELECT bg."book_id" FROM "book_genres" bg WHERE bg."genre_id" = NEW."id");
  RETURN NULL;
END;
$$;

CREATE TRIGGER "genres_search_on_rename" AFTER UPDATE OF "name" ON "genres"
  FOR EACH ROW WHEN (OLD."name" IS DISTINCT FROM NEW."name") EXECUTE FUNCTION "genres_refresh_search_documents"();

-- Books that existed before this migration.
UPDATE "books" SET "search_document" = "book_search_document"("id", "title", "subtitle", "description");
