// The outage classifiers of the error handler (the fault tests in test/faults
// drive them end to end with stopped services); here: what they must NOT match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseBusy, isDatabaseUnavailable, isRedisUnavailable, isStorageUnavailable } from './error-handler.ts';

const prismaError = (code: string, cause?: object) =>
  Object.assign(new Error('x'), { name: 'PrismaClientKnownRequestError', code, meta: cause ? { driverAdapterError: { cause } } : {} });

describe('error handler: outage classification', () => {
  it('names an unreachable or departing database', () => {
    assert.ok(isDatabaseUnavailable(prismaError('P1001', { kind: 'DatabaseNotReachable' })));
    assert.ok(isDatabaseUnavailable(prismaError('P2010', { kind: 'postgres', code: '57P01' })));
    assert.ok(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' })));
    assert.ok(isDatabaseUnavailable(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') })));
    // node-postgres errors without a code, raw or inside the message of the error Prisma wraps them in
    assert.ok(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable')));
    assert.ok(isDatabaseUnavailable(Object.assign(new Error('Invalid `db.action.findUnique()` invocation:\n\nConnection terminated'), { name: 'PrismaClientUnknownRequestError' })));
    assert.ok(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')));
  });

  it('names a transaction Prisma gave up on (no connection in time, or timed out) as busy, not down', () => {
    assert.ok(isDatabaseBusy(prismaError('P2028')));
    assert.equal(isDatabaseUnavailable(prismaError('P2028')), false);
    assert.equal(isDatabaseBusy(prismaError('P2002')), false);
    assert.equal(isDatabaseBusy(Object.assign(new Error('x'), { code: 'P2028' })), false, 'not a Prisma error');
  });

  it('leaves query errors and other services alone', () => {
    assert.equal(isDatabaseUnavailable(prismaError('P2002')), false);
    assert.equal(isDatabaseUnavailable(prismaError('P2010', { kind: 'postgres', code: '23505' })), false);
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), false);
    assert.equal(isDatabaseUnavailable(new Error('boom')), false);
    assert.equal(isStorageUnavailable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), false, 'not an SDK error');
    assert.equal(isRedisUnavailable(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')), false);
    assert.equal(isStorageUnavailable(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })), false);
  });

  it('names an unreachable or failing object store', () => {
    assert.ok(isStorageUnavailable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } })));
    assert.ok(isStorageUnavailable(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })));
  });
});
