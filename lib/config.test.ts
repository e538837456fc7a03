import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const good = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  RPC_URL: 'http://127.0.0.1:8545',
};

describe('config', () => {
  it('parses a minimal environment with labelled dev defaults', () => {
    const c = loadConfig(good);
    assert.equal(c.PORT, 3000);
    assert.equal(c.JWT_SECRET, DEV_JWT_SECRET);
    assert.equal(c.S3_FORCE_PATH_STYLE, true);
  });

  it('names every missing or malformed variable', () => {
    assert.throws(
      () => loadConfig({ ...good, DATABASE_URL: undefined, PORT: 'eighty', REDIS_URL: 'http://x' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.issues.some((i) => i.startsWith('DATABASE_URL: is required')) &&
        err.issues.some((i) => i.startsWith('PORT:')) &&
        err.issues.some((i) => i.startsWith('REDIS_URL: must be a redis or rediss URL')),
    );
  });

  it('refuses dev-default secrets in production', () => {
    assert.throws(() => loadConfig({ ...good, NODE_ENV: 'production' }), /JWT_SECRET: dev default is not allowed in production/);
    assert.doesNotThrow(() =>
      loadConfig({ ...good, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), OPERATOR_PRIVATE_KEY: `0x${'ab'.repeat(32)}`, S3_SECRET_ACCESS_KEY: 'real', TLOG_SIGNING_KEY: 'MC4CAQAwBQYDK2VwBCIEIFzyNGF8skamkhA6EGWBT3x866jUk+kTjYsI/pCdxKp4', INTERNAL_API_TOKEN: 'i'.repeat(40) }),
    );
    assert.throws(
      () => loadConfig({ ...good, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), OPERATOR_PRIVATE_KEY: `0x${'ab'.repeat(32)}`, S3_SECRET_ACCESS_KEY: 'real', TLOG_SIGNING_KEY: 'MC4CAQAwBQYDK2VwBCIEIFzyNGF8skamkhA6EGWBT3x866jUk+kTjYsI/pCdxKp4' }),
      /INTERNAL_API_TOKEN: dev default is not allowed in production/,
    );
    assert.throws(
      () => loadConfig({ ...good, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), OPERATOR_PRIVATE_KEY: `0x${'ab'.repeat(32)}`, S3_SECRET_ACCESS_KEY: 'real' }),
      /TLOG_SIGNING_KEY: dev default is not allowed in production/,
    );
  });

  it('fails the API boot with a message naming the missing variable', () => {
    const env = { PATH: process.env.PATH, ...good, DATABASE_URL: '' } as NodeJS.ProcessEnv;
    delete env.DATABASE_URL;
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'api/server.ts')], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 78, r.stderr);
    assert.match(r.stderr, /DATABASE_URL: is required but not set/);
  });
});
