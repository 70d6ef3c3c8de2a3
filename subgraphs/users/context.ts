import type { CredentialRevokedEvent } from "../../lib/auth/credential-revoked.ts";
import type { RequestContext } from "../../lib/server/context.ts";
import { createUserLoaders, type UserLoaders } from "./loaders.ts";

export interface UsersContext extends RequestContext {
  loaders: UserLoaders;
  /** Credentials this request revoked, named to the forwarding gateway in a response header. */
  revokedCredentials: CredentialRevokedEvent[];
}

export const createUsersContext = (base: RequestContext): UsersContext => ({
  ...base,
  loaders: createUserLoaders(base.runtime.db.prisma),
  revokedCredentials: [],
});
