import { randomUUID } from "node:crypto";
import type { CredentialRevokedEvent } from "../../../lib/auth/credential-revoked.ts";
import { announceRevoked } from "./revocations.ts";
import { hashSecret, newSecret, REFRESH_TOKEN_PREFIX } from "../../../lib/auth/secrets.ts";
import { signAccessToken } from "../../../lib/auth/tokens.ts";
import type { Role } from "../../../lib/auth/viewer.ts";
import type { PrismaClient } from "../../../lib/db/database.ts";
import { inPrismaTransaction } from "../../../lib/db/transaction.ts";
import { unauthenticated } from "../../../lib/errors.ts";
import type { Runtime } from "../../../lib/runtime.ts";

/**
 * Sign-in sessions. Each sign-in starts a session: a family of refresh tokens in
 * which every exchange (refreshSession) spends the presented token and issues its
 * successor. A spent token presented again means two parties hold the family (a
 * stolen token), so the whole session is revoked and both must sign in again.
 * Access tokens carry the session id, and the gateway refuses those of ended sessions.
 */
export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  user: { id: number };
}

export type RevokedReason = "SIGN_OUT" | "REUSE";

export async function startSession(runtime: Runtime, user: { id: number; role: Role }): Promise<AuthPayload> {
  const sessionId = randomUUID();
  const refreshToken = newSecret(REFRESH_TOKEN_PREFIX);
  const expiresAt = new Date(Date.now() + runtime.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
  await runtime.db.prisma.authSession.create({
    data: { id: sessionId, userId: user.id, expiresAt, refreshTokens: { create: { tokenHash: hashSecret(refreshToken) } } },
  });
  return payload(runtime, user, sessionId, refreshToken);
}

export async function rotateRefreshToken(runtime: Runtime, presented: string): Promise<AuthPayload> {
  const prisma = runtime.db.prisma;
  const token = await prisma.refreshToken.findUnique({
    where: { tokenHash: hashSecret(presented.trim()) },
    include: { session: { include: { user: { select: { id: true, role: true } } } } },
  });
  if (!token) throw unauthenticated("The refresh token is not valid");
  const { session } = token;
  if (session.revokedAt) throw unauthenticated("The session has ended; sign in again");
  if (session.expiresAt.getTime() <= Date.now()) throw unauthenticated("The session has expired; sign in again");
  if (token.rotatedAt) {
    await revokeSession(runtime, session.id, "REUSE");
    runtime.logger.warn({ sessionId: session.id, userId: session.userId }, "a rotated refresh token was reused: session revoked");
    throw unauthenticated("The refresh token was already used; the session has been ended for safety");
  }
  const successor = newSecret(REFRESH_TOKEN_PREFIX);
  const spent = await inPrismaTransaction(prisma, async (tx) => {
    // Conditional, so of two concurrent exchanges of one token only one succeeds.
    const { count } = await tx.refreshToken.updateMany({ where: { id: token.id, rotatedAt: null }, data: { rotatedAt: new Date() } });
    if (count === 0) return false;
    await tx.refreshToken.create({ data: { sessionId: session.id, tokenHash: hashSecret(successor) } });
    await tx.authSession.update({ where: { id: session.id }, data: { lastUsedAt: new Date() } });
    return true;
  });
  if (!spent) {
    await revokeSession(runtime, session.id, "REUSE");
    throw unauthenticated("The refresh token was already used; the session has been ended for safety");
  }
  return payload(runtime, session.user, session.id, successor);
}

/**
 * Ends a session (idempotent) and tells every gateway to stop accepting its access tokens.
 * `userId` limits it to that reader's sessions; `revoked` is the request's list for the response header.
 */
export async function revokeSession(
  runtime: Runtime,
  sessionId: string,
  reason: RevokedReason,
  options: { userId?: number; revoked?: CredentialRevokedEvent[] } = {},
): Promise<boolean> {
  const { count } = await runtime.db.prisma.authSession.updateMany({
    where: { id: sessionId, revokedAt: null, ...(options.userId === undefined ? {} : { userId: options.userId }) },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  if (count > 0) await announceRevoked(runtime, { kind: "session", sessionId }, options.revoked);
  return count > 0;
}

export async function sessionOfRefreshToken(prisma: PrismaClient, presented: string): Promise<{ id: string; userId: number } | null> {
  const token = await prisma.refreshToken.findUnique({ where: { tokenHash: hashSecret(presented.trim()) }, select: { session: { select: { id: true, userId: true } } } });
  return token?.session ?? null;
}

export async function isSessionActive(prisma: PrismaClient, sessionId: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return false;
  const session = await prisma.authSession.findUnique({ where: { id: sessionId }, select: { revokedAt: true, expiresAt: true } });
  return session !== null && session.revokedAt === null && session.expiresAt.getTime() > Date.now();
}

async function payload(runtime: Runtime, user: { id: number; role: Role }, sessionId: string, refreshToken: string): Promise<AuthPayload> {
  const ttl = runtime.config.ACCESS_TOKEN_TTL_SECONDS;
  // Taken before signing, so the advertised expiry is never later than the token's own.
  const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttl) * 1000);
  const accessToken = await signAccessToken(runtime.config, { userId: user.id, role: user.role }, ttl, { sessionId });
  return { accessToken, refreshToken, expiresAt, user: { id: user.id } };
}
