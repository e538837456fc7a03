// `prisma generate` without network: the Prisma 7 CLI tries to download its
// schema engine on every command; generation does not need it, so we point
// PRISMA_SCHEMA_ENGINE_BINARY at an existing file to skip the download.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
if (!existsSync(path.join(root, 'prisma/schema.prisma'))) process.exit(0);
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const bin = path.join(root, 'node_modules/.bin/prisma');
const r = spawnSync(bin, ['generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
