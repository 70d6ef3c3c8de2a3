import type { RequestContext } from "../../lib/server/context.ts";
import { bookCacheOf } from "./book-cache-lifecycle.ts";
import { createBookLoaders, type BookLoaders } from "./loaders.ts";

export interface BooksContext extends RequestContext {
  loaders: BookLoaders;
}

export const createBooksContext = (base: RequestContext): BooksContext => ({
  ...base,
  loaders: createBookLoaders(base.runtime.db.prisma, bookCacheOf(base.runtime)),
});
