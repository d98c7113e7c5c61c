import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Json } from '@duckdb/node-api';
import { EngineError } from './engine.errors';

export interface DuckDbOptions {
  /** DuckDB `memory_limit`, e.g. "512MB"; beyond it DuckDB spills to `tempDirectory`. */
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB spills; default: its own choice (a `.tmp` next to the database, here in-memory → system temp). */
  tempDirectory?: string;
}

export type JsonRow = Record<string, Json>;

/** One DuckDB connection: statements run one at a time on it. */
export class DuckDbSession {
  constructor(private readonly connection: DuckDBConnection) {}

  /** Runs a statement that returns nothing the caller needs (COPY, SET, CREATE...). */
  async run(sql: string): Promise<void> {
    try {
      await this.connection.run(sql);
    } catch (err) {
      throw sqlError(err);
    }
  }

  /** Rows as JSON-safe values (BIGINT and DECIMAL as strings, timestamps as ISO-like text). */
  async all(sql: string, params?: (string | number | boolean | null)[]): Promise<{ columns: { name: string; type: string }[]; rows: JsonRow[] }> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params);
      const names = reader.columnNames();
      const types = reader.columnTypes().map(String);
      return { columns: names.map((name, i) => ({ name, type: types[i]! })), rows: reader.getRowObjectsJson() };
    } catch (err) {
      throw sqlError(err);
    }
  }

  /**
   * How far the statement running on this connection has got (DuckDB's estimate; -1 when it has none).
   * Polled from a timer while `run`/`all` is awaited: the statement runs off the JS thread.
   */
  progress(): { percentage: number; rowsProcessed: number; totalRows: number } {
    const p = this.connection.progress;
    return { percentage: p.percentage, rowsProcessed: Number(p.rows_processed), totalRows: Number(p.total_rows_to_process) };
  }

  /** Stops the statement running on this connection; it fails with DuckDB's "INTERRUPT" error. */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
  }
}

/**
 * An in-memory DuckDB with bounded memory and threads: the engine's unit of work. Data lives in Parquet
 * files; DuckDB streams through them, so memory stays flat as inputs grow.
 */
export class DuckDb {
  private closed = false;

  constructor(private readonly instance: DuckDBInstance) {}

  async connect(): Promise<DuckDbSession> {
    if (this.closed) throw new EngineError('FF_ENGINE_SQL', 'this DuckDB instance was closed');
    return new DuckDbSession(await this.instance.connect());
  }

  /** Runs `fn` on a fresh connection, closed afterwards whatever happens. */
  async withSession<T>(fn: (session: DuckDbSession) => Promise<T>): Promise<T> {
    const session = await this.connect();
    try {
      return await fn(session);
    } finally {
      session.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
  }
}

export async function openDuckDb(opts: DuckDbOptions = {}): Promise<DuckDb> {
  const settings: Record<string, string> = {};
  if (opts.memoryLimit) settings.memory_limit = opts.memoryLimit;
  if (opts.threads) settings.threads = String(opts.threads);
  if (opts.tempDirectory) settings.temp_directory = opts.tempDirectory;
  try {
    return new DuckDb(await DuckDBInstance.create(':memory:', settings));
  } catch (err) {
    throw new EngineError('FF_ENGINE_SQL', `DuckDB did not start with ${JSON.stringify(settings)}: ${(err as Error).message}`, { cause: err });
  }
}

function sqlError(err: unknown): EngineError {
  return new EngineError('FF_ENGINE_SQL', (err as Error).message ?? String(err), { cause: err });
}
