import type { Prisma } from "../../lib/db/database.ts";
import type { RequestContext } from "../../lib/server/context.ts";

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: number;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
}

/** One audit_logs row per catalogue change, written in the change's own transaction so neither exists without the other. */
export async function writeAudit(tx: Prisma.TransactionClient, context: RequestContext, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: context.viewer?.userId ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: String(entry.entityId),
      requestId: context.requestId,
      ...(entry.before != null ? { before: entry.before } : {}),
      ...(entry.after != null ? { after: entry.after } : {}),
    },
  });
}
