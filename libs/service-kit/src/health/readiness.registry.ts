import { Injectable } from '@nestjs/common';
import { scrubText } from '../logging/redact';

/** Resolves (or returns true) when the dependency is usable; throws or returns false otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface ReadinessReport {
  status: 'up' | 'down';
  checks: Record<string, 'up' | 'down'>;
  /** Why a check is down (credentials scrubbed). */
  errors?: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Process-wide list of readiness checks. Service modules register theirs (`orchestrator.db`, `bus`);
 * in embedded mode /health/ready aggregates every service's checks in one answer.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`FF_HEALTH_DUPLICATE: readiness check "${name}" is registered twice`);
    this.checks.set(name, check);
  }

  names(): string[] {
    return [...this.checks.keys()].sort();
  }

  async run(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      this.names().map(async (name) => {
        try {
          const ok = await withTimeout(this.checks.get(name)!(), CHECK_TIMEOUT_MS);
          return [name, ok === false ? 'check returned false' : null] as const;
        } catch (err) {
          return [name, scrubText(err instanceof Error ? err.message : String(err))] as const;
        }
      }),
    );
    const checks: Record<string, 'up' | 'down'> = {};
    const errors: Record<string, string> = {};
    for (const [name, error] of entries) {
      checks[name] = error === null ? 'up' : 'down';
      if (error !== null) errors[name] = error;
    }
    const down = Object.keys(errors).length > 0;
    return down ? { status: 'down', checks, errors } : { status: 'up', checks };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}
