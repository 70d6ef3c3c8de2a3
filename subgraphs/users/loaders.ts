import DataLoader from "dataloader";
import type { PrismaClient, User } from "../../lib/db/database.ts";

export interface UserLoaders {
  userById: DataLoader<number, User | null>;
}

export function createUserLoaders(prisma: PrismaClient): UserLoaders {
  return {
    userById: new DataLoader(async (ids) => {
      const rows = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
