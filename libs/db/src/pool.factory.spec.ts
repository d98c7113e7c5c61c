import type { Pool, PoolClient } from 'pg';
import { isRetryableTransactionError, withRetriedTransaction } from './pool.factory';

/** A pool whose client records the statements it is sent. */
function fakePool(log: string[]): Pool {
  const client = { query: async (sql: string) => void log.push(sql), release: () => undefined } as unknown as PoolClient;
  return { connect: async () => client } as unknown as Pool;
}

const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });

describe('withRetriedTransaction', () => {
  it('runs a deadlock victim again, in a new transaction, and returns its result', async () => {
    const log: string[] = [];
    let calls = 0;
    const result = await withRetriedTransaction(fakePool(log), async () => {
      if (++calls < 3) throw deadlock;
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(log).toEqual(['BEGIN', 'ROLLBACK', 'BEGIN', 'ROLLBACK', 'BEGIN', 'COMMIT']);
  });

  it('gives up after the last attempt, and never retries other errors', async () => {
    let calls = 0;
    await expect(withRetriedTransaction(fakePool([]), async () => (calls++, Promise.reject(deadlock)), 2)).rejects.toBe(deadlock);
    expect(calls).toBe(2);
    const other = Object.assign(new Error('duplicate key'), { code: '23505' });
    calls = 0;
    await expect(withRetriedTransaction(fakePool([]), async () => (calls++, Promise.reject(other)))).rejects.toBe(other);
    expect(calls).toBe(1);
  });

  it('knows which failures are worth a retry', () => {
    expect(isRetryableTransactionError(deadlock)).toBe(true);
    expect(isRetryableTransactionError({ code: '40001' })).toBe(true);
    expect(isRetryableTransactionError(new Error('x'))).toBe(false);
    expect(isRetryableTransactionError(null)).toBe(false);
  });
});
