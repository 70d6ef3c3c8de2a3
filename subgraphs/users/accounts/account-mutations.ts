import { decoyPasswordHash, hashPassword, verifyPassword } from "../../../lib/auth/passwords.ts";
import { conflict, unauthenticated } from "../../../lib/errors.ts";
import { inPrismaTransaction } from "../../../lib/db/transaction.ts";
import type { UsersContext } from "../context.ts";
import { requireViewer } from "../viewer.ts";
import { revokeSession, rotateRefreshToken, sessionOfRefreshToken, startSession, type AuthPayload } from "./sessions.ts";
import { parseDisplayName, parseEmail, parseNewPassword } from "./sign-up-input.ts";

const WRONG_CREDENTIALS = "The email or password is wrong";

/** Readers' own accounts: sign-up, sign-in, refresh and sign-out. */
export const accountMutations = {
  async signUp(_parent: unknown, args: { input: { email: string; password: string; displayName: string } }, context: UsersContext): Promise<AuthPayload> {
    const email = parseEmail(args.input.email, "input.email");
    const password = parseNewPassword(args.input.password, "input.password");
    const displayName = parseDisplayName(args.input.displayName, "input.displayName");
    const passwordHash = await hashPassword(password);
    const user = await inPrismaTransaction(context.runtime.db.prisma, async (tx) => {
      // Case-insensitive: accounts imported or seeded before sign-up existed may hold mixed-case emails.
      const taken = await tx.user.findFirst({ where: { email: { equals: email, mode: "insensitive" } }, select: { id: true } });
      if (taken) throw conflict("An account with this email already exists");
      return tx.user.create({ data: { email, displayName, credential: { create: { passwordHash } } }, select: { id: true, role: true } });
    }).catch((error: unknown) => {
      // Two sign-ups racing for one email: the unique index decides.
      if ((error as { code?: string }).code === "P2002") throw conflict("An account with this email already exists");
      throw error;
    });
    context.logger.info({ userId: user.id }, "reader signed up");
    return startSession(context.runtime, user);
  },

  async signIn(_parent: unknown, args: { email: string; password: string }, context: UsersContext): Promise<AuthPayload> {
    const email = args.email.trim().toLowerCase();
    const user = await context.runtime.db.prisma.user.findFirst({
      where: { email: { equals: email, mode: "insensitive" } },
      select: { id: true, role: true, credential: { select: { passwordHash: true } } },
    });
    // An unknown email costs a hash too, so timing does not reveal which emails have accounts.
    const stored = user?.credential?.passwordHash ?? (await decoyPasswordHash());
    const matches = args.password.length <= 1024 && (await verifyPassword(args.password, stored));
    if (!user?.credential || !matches) throw unauthenticated(WRONG_CREDENTIALS);
    return startSession(context.runtime, user);
  },

  refreshSession: (_parent: unknown, args: { refreshToken: string }, context: UsersContext): Promise<AuthPayload> =>
    rotateRefreshToken(context.runtime, args.refreshToken),

  /**
   * Ends the session of the access token used, or the one a given refresh token
   * belongs to (it must be the reader's own). False when there was nothing to end.
   */
  async signOut(_parent: unknown, args: { refreshToken?: string | null }, context: UsersContext): Promise<boolean> {
    const viewer = requireViewer(context);
    let ended = false;
    if (args.refreshToken) {
      const session = await sessionOfRefreshToken(context.runtime.db.prisma, args.refreshToken);
      if (session && session.userId === viewer.userId) ended = await revokeSession(context.runtime, session.id, "SIGN_OUT", { userId: viewer.userId, revoked: context.revokedCredentials });
    }
    const current = context.identity.kind === "user" ? context.identity.sessionId : undefined;
    if (current) ended = (await revokeSession(context.runtime, current, "SIGN_OUT", { userId: viewer.userId, revoked: context.revokedCredentials })) || ended;
    return ended;
  },
};
