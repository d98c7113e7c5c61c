import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDuckDb, sqlString, type DuckDb, type DuckDbSession, type JsonRow } from '@flowforge/engine';
import type { CompileContext } from '../compiled-job';
import { parseTableName, registerInputs, tableName, type LakeInput } from '../relations';

/**
 * Test support of the gold specs only (not exported): a real in-memory DuckDB (1 thread) and small Parquet
 * files in a temp directory, registered as lake tables the way the runner does it (registerInputs).
 */
export class SpecLake {
  private seq = 0;

  private constructor(
    readonly db: DuckDb,
    readonly session: DuckDbSession,
    readonly dir: string,
  ) {}

  static async open(): Promise<SpecLake> {
    const db = await openDuckDb({ threads: 1, memoryLimit: '256MB' });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ff-gold-spec-'));
    return new SpecLake(db, await db.connect(), dir);
  }

  /** Writes the rows of `select` to a new Parquet file and returns it with its schema as DuckDB reads it back. */
  async file(select: string): Promise<{ file: string; schema: LakeInput['schema'] }> {
    const file = path.join(this.dir, `part-${this.seq++}.parquet`);
    await this.session.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet)`);
    const described = await this.session.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
    return { file, schema: described.rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), nullable: true })) };
  }

  /** A lake table `name` over the given files (their schemas must agree), with a fresh snapshot id. */
  async table(name: string, ...selects: string[]): Promise<LakeInput> {
    const files = [];
    for (const s of selects) files.push(await this.file(s));
    return { ref: parseTableName(name), snapshotId: `snap-${this.seq++}`, schema: files[0]!.schema, files: files.map((f) => f.file) };
  }

  /** Registers `inputs` (views `<layer>.<namespace>.<table>`). */
  async register(...inputs: LakeInput[]): Promise<void> {
    await registerInputs(this.session, inputs);
  }

  async rows(sql: string): Promise<JsonRow[]> {
    return (await this.session.all(sql)).rows;
  }

  async columns(sql: string): Promise<{ name: string; type: string }[]> {
    return (await this.session.all(`SELECT * FROM (${sql}) AS "q" LIMIT 0`)).columns;
  }

  async close(): Promise<void> {
    this.session.close();
    this.db.close();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/** A CompileContext whose schemas are those of `inputs`. */
export function contextOf(...inputs: LakeInput[]): CompileContext {
  return {
    schemas: (ref) => inputs.find((i) => tableName(i.ref) === tableName(ref))?.schema,
    now: new Date('2026-06-01T00:00:00Z'),
  };
}
