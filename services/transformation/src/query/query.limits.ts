import { Inject, Injectable } from '@nestjs/common';
import type { DuckDbSession } from '@flowforge/engine';
import { FlowForgeError, serviceConfigToken } from '@flowforge/service-kit';
import type { TransformationConfig } from '../transformation.config';

/** The limits of interactive queries (preview, SQL, expression tests): DuckDB memory and a time budget per request. */
@Injectable()
export class QueryLimits {
  constructor(@Inject(serviceConfigToken('transformation')) private readonly config: TransformationConfig) {}

  get timeoutMs(): number {
    return this.config.FLOWFORGE_QUERY_TIMEOUT_MS;
  }

  engine(): { memoryLimit: string; threads?: number } {
    return { memoryLimit: this.config.FLOWFORGE_QUERY_MEMORY_LIMIT };
  }

  /** Runs `fn` on `session`, interrupting the statement running there when the time budget is spent (→ 422 FF_SQL_LIMIT). */
  async timed<T>(session: DuckDbSession, fn: () => Promise<T>): Promise<T> {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      session.interrupt();
    }, this.timeoutMs);
    try {
      return await fn();
    } catch (err) {
      if (expired)
        throw new FlowForgeError('FF_SQL_LIMIT', 422, 'Unprocessable Content', `the query passed its time limit of ${this.timeoutMs} ms and was stopped`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
