import type { RequestContext } from "../../lib/server/context.ts";
import { createUserLoaders, type UserLoaders } from "./loaders.ts";

export interface UsersContext extends RequestContext {
  loaders: UserLoaders;
}

export const createUsersContext = (base: RequestContext): UsersContext => ({
  ...base,
  loaders: createUserLoaders(base.runtime.db.prisma),
});
