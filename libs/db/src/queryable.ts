/**
 * The smallest thing that can run SQL: a `pg` Pool, PoolClient or Client all satisfy it.
 * Ports (bus, registry, catalog) accept a Queryable so that callers can pass their own open
 * transaction — that is how a publish joins the caller's state change (transactional outbox).
 */
export interface QueryResultLike<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number | null;
}

export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResultLike<R>>;
}
