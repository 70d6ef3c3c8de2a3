import { defineConfig } from "prisma/config";

// The CLI is used only for generate/validate/format: migrations are applied by
// `npm run db:migrate` (lib/db/migrate.ts), so no datasource URL is needed here.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
