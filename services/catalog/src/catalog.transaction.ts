import type { Queryable, QueryResultLike } from '@flowforge/db';
import type { DataSource, QueryRunner } from 'typeorm';

/** A TypeORM QueryRunner seen as the `Queryable` the bus accepts (`tx`), so a publish joins our transaction. */
function asQueryable(runner: QueryRunner): Queryable {
  return {
    async query<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResultLike<R>> {
      const result = (await runner.query(text, params, true)) as { records?: R[]; affected?: number };
      const rows = result.records ?? [];
      return { rows, rowCount: result.affected ?? rows.length };
    },
  };
}

/** Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(dataSource: DataSource, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      const result = await fn(asQueryable(runner));
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  } finally {
    await runner.release();
  }
}

/** Single statements outside a transaction, through the same shape (one pooled connection per query). */
export function queryableOf(dataSource: DataSource): Queryable {
  return {
    async query<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResultLike<R>> {
      const runner = dataSource.createQueryRunner();
      try {
        return await asQueryable(runner).query<R>(text, params);
      } finally {
        await runner.release();
      }
    },
  };
}
