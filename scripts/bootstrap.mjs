// Entry point of `npm start` and `npm test` on any machine, including a fresh
// one with only Node 20 + npm. Plain JS on purpose: it runs before our
// dependencies (and Node 22) exist. It installs what is missing, then hands
// over to scripts/<command>.ts under Node 22 + tsx.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const [command, ...args] = process.argv.slice(2);
const bin = path.join(root, 'node_modules/.bin');
const node22 = path.join(bin, 'node');

function log(msg) { console.log(`[oneheart] ${msg}`); }

function run(cmd, argv, env = process.env) {
  const r = spawnSync(cmd, argv, { cwd: root, env, stdio: 'inherit' });
  return r.status === 0;
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function installIsCurrent() {
  const required = [
    node22,
    path.join(root, 'node_modules/@nomicfoundation/edr-linux-x64-gnu'),
    path.join(root, 'lib/generated/prisma/client.ts'),
    path.join(root, 'node_modules/.package-lock.json'),
  ];
  if (!required.every((p) => existsSync(p))) return false;
  // package.json edited after the last install → install again.
  return statSync(path.join(root, 'package.json')).mtimeMs <= statSync(path.join(root, 'node_modules/.package-lock.json')).mtimeMs;
}

function ensureDependencies() {
  if (installIsCurrent()) return;
  log('installing npm dependencies (first run only) ...');
  const env = { ...process.env };
  if (existsSync(node22)) env.PATH = `${bin}${path.delimiter}${env.PATH}`;
  // Node from npm trusts only its bundled CAs; hand it the system store (TLS proxies).
  const systemCa = '/etc/ssl/certs/ca-certificates.crt';
  if (!env.NODE_EXTRA_CA_CERTS && existsSync(systemCa)) env.NODE_EXTRA_CA_CERTS = systemCa;
  if (!run('npm', ['install', '--no-audit', '--no-fund'], env) || !installIsCurrent()) {
    console.error('[oneheart] npm install failed; see the output above');
    process.exit(1);
  }
}

/** Installs a Debian package when `binary` is missing (root + apt-get only); exits with `why` otherwise. */
function ensureDebianPackage(pkg, binary, why) {
  if (has(binary)) return;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error(`[oneheart] ${binary} is missing: install it (apt-get install ${pkg}); ${why}`);
    process.exit(1);
  }
  log(`installing ${pkg} from Debian packages (first run only) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], env);
  if (!(install() || (run('apt-get', ['update', '-q'], env) && install()))) {
    console.error(`[oneheart] apt-get install ${pkg} failed`);
    process.exit(1);
  }
}

if (!command) { console.error('usage: node scripts/bootstrap.mjs <start|test> [args]'); process.exit(2); }
ensureDependencies();
// Redis has no npm package that ships a server binary: use Debian's.
if (!process.env.REDIS_URL) ensureDebianPackage('redis-server', 'redis-server', 'or set REDIS_URL');
// The browser tests drive Debian's Chromium with playwright-core (no browser download).
if (command === 'test') ensureDebianPackage('chromium', 'chromium', 'the browser tests need it');

const child = spawn(node22, ['--import', 'tsx', path.join(root, `scripts/${command}.ts`), ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
});
// Ctrl-C reaches the whole process group; the child owns shutdown, we wait for it.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
