// Pages served by the API, each an HTML file and a script bundled by esbuild in memory on first
// request (then cached): the public verify page (GET /verify, /verify.js, /verify/config.json with the
// RPC and explorer the page defaults to; it verifies in the browser against the chain) and the
// dashboards (GET /dashboard/<name>, /dashboard/<name>.js; they call the API with the viewer's token).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';

const WEB = path.resolve(import.meta.dirname, '../../web');
const LEDGER = path.resolve(import.meta.dirname, '../../ledger');

/** ledger/hash.ts uses node:crypto: the browser bundle gets web/shims/ledger-hash.ts instead. */
const browserShims: Plugin = {
  name: 'oneheart-browser-shims',
  setup(b) {
    b.onResolve({ filter: /^\.\/hash\.ts$/ }, (args) =>
      path.dirname(args.importer) === LEDGER ? { path: path.join(WEB, 'shims/ledger-hash.ts') } : undefined);
    b.onResolve({ filter: /^node:/ }, (args) => ({ errors: [{ text: `${args.path} imported by ${args.importer} is not browser-safe` }] }));
  },
};

/** Bundles `entry` (default web/verify.ts) for browsers: ESM, no Node built-ins, Buffer replaced by web/shims/buffer.ts. */
export async function bundleWeb(entry = path.join(WEB, 'verify.ts'), minify = true): Promise<string> {
  const out = await build({
    entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', minify,
    inject: [path.join(WEB, 'shims/buffer.ts')], plugins: [browserShims], logLevel: 'silent', legalComments: 'none',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.text;
}

// The page reads the chain from the browser, so it must reach any RPC origin.
const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src *; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const text = { 200: { type: 'string' } } as const;

/** HTML page → its script: [page path, html file, script path, script entry], files under web/. */
const PAGES: readonly (readonly [string, string, string, string])[] = [
  ['/verify', 'verify.html', '/verify.js', 'verify.ts'],
  ['/dashboard/nation', 'nation.html', '/dashboard/nation.js', 'pages/nation.ts'],
  ['/dashboard/sponsor', 'sponsor.html', '/dashboard/sponsor.js', 'pages/sponsor.ts'],
  ['/dashboard/review', 'review.html', '/dashboard/review.js', 'pages/review.ts'],
  ['/dashboard/policy', 'policy.html', '/dashboard/policy.js', 'pages/policy.ts'],
];

export default async function webRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  for (const [page, html, script, entry] of PAGES) {
    let js: Promise<string> | undefined;
    app.get(page, { schema: { hide: true, response: text } }, async (_req, reply) => {
      reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8');
      return readFile(path.join(WEB, html), 'utf8');
    });
    app.get(script, { schema: { hide: true, response: text } }, async (_req, reply) => {
      js ??= bundleWeb(path.join(WEB, entry)).catch((err: unknown) => { js = undefined; throw err; });
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache');
      return js;
    });
  }
  app.get('/verify/config.json', {
    schema: {
      hide: true,
      response: { 200: { type: 'object', required: ['RPC_URL', 'EXPLORER_URL'], properties: { RPC_URL: { type: 'string' }, EXPLORER_URL: { type: ['string', 'null'] } } } },
    },
  }, async () => ({ RPC_URL: deps.config.RPC_URL, EXPLORER_URL: deps.config.EXPLORER_URL ?? null }));
}
