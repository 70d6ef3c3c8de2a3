import type { IRules } from "graphql-shield";
import { federationRules, isAdmin, isPublic } from "../../lib/auth/rules.ts";

/**
 * The catalogue is public to read; changing it is for catalogue staff (ADMIN) only.
 * Every field is listed: anything missing is denied (fallbackRule: deny).
 */
export const permissions: IRules = {
  Query: {
    ...federationRules.Query,
    book: isPublic,
    bookByIsbn: isPublic,
    books: isPublic,
    searchBooks: isPublic,
    authors: isPublic,
    author: isPublic,
    genres: isPublic,
  },
  Mutation: {
    createBook: isAdmin,
    updateBook: isAdmin,
    deleteBook: isAdmin,
    mergeAuthors: isAdmin,
  },
  _Service: federationRules._Service,
  // Catalogue types: everything on them is public.
  Book: isPublic,
  Author: isPublic,
  Genre: isPublic,
  Publisher: isPublic,
  DeletedBook: isPublic,
  BookConnection: isPublic,
  BookEdge: isPublic,
  AuthorConnection: isPublic,
  AuthorEdge: isPublic,
  BookSearchConnection: isPublic,
  BookSearchEdge: isPublic,
  BookSearchHit: isPublic,
  BookSearchHighlights: isPublic,
  PageInfo: isPublic,
};
