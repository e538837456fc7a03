import { defineConfig } from 'prisma/config';

// Prisma is used for the client only: migrations are plain SQL applied by
// lib/migrator.ts (the Prisma 7 CLI cannot reach its engine offline).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
