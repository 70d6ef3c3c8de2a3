import type { Prisma } from "../../lib/db/database.ts";
import { unauthenticated } from "../../lib/errors.ts";
import type { RequestContext } from "../../lib/server/context.ts";

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: number;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
}

/**
 * One audit_logs row per catalogue change, written in the change's own transaction so
 * neither exists without the other. A change nobody can be named for is not made: a
 * token whose user no longer exists is refused (and the transaction rolled back).
 */
export async function writeAudit(tx: Prisma.TransactionClient, context: RequestContext, entry: AuditEntry): Promise<void> {
  const actorId = context.viewer?.userId ?? null;
  if (actorId === null || !(await tx.user.findUnique({ where: { id: actorId }, select: { id: true } }))) {
    throw unauthenticated("The signed-in user does not exist; catalogue changes must be attributable");
  }
  await tx.auditLog.create({
    data: {
      actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: String(entry.entityId),
      requestId: context.requestId,
      ...(entry.before != null ? { before: entry.before } : {}),
      ...(entry.after != null ? { after: entry.after } : {}),
    },
  });
}
