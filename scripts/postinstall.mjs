// Runs after `npm install`. Hardhat's native EDR package declares engines >= 22,
// so an install driven by Node 20 silently skips it. When that happens we run
// one more plain `npm install` under the Node 22 binary from the `node`
// devDependency (already on PATH for lifecycle scripts), then generate the
// Prisma client. Plain JS on purpose: it must run before tsx exists.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const installerMajor = Number((process.env.npm_node_execpath ? spawnSync(process.env.npm_node_execpath, ['-p', 'process.versions.node']).stdout.toString() : process.versions.node).split('.')[0]);
const edr = path.join(root, 'node_modules/@nomicfoundation/edr-linux-x64-gnu');

if (installerMajor < 22 && !existsSync(edr) && !process.env.ONEHEART_REINSTALL) {
  const node22 = path.join(root, 'node_modules/.bin/node');
  console.log(`[postinstall] npm ran under Node ${installerMajor}; re-running npm install under Node 22 so Hardhat's EDR is installed`);
  const env = { ...process.env, ONEHEART_REINSTALL: '1', PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH}` };
  // Node from npm trusts only its bundled CAs; a machine whose registry access
  // goes through a TLS proxy trusts it in the system store. Hand that store over.
  const systemCa = '/etc/ssl/certs/ca-certificates.crt';
  if (!env.NODE_EXTRA_CA_CERTS && existsSync(systemCa)) env.NODE_EXTRA_CA_CERTS = systemCa;
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, env, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const r = spawnSync(process.execPath, [path.join(root, 'scripts/prisma-generate.mjs')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
