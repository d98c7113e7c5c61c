import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { INT32_MAX } from './int-param.pipe';

/** `?limit=` of a list route: an integer in [1, max], `def` when absent (queries arrive as text, hence coerce). */
export function limitQuery(max: number, def: number) {
  const words = `must be an integer between 1 and ${max}`;
  return z.coerce.number(says(words)).int(words).min(1, words).max(max, words).default(def);
}

/** `?offset=`: rows to skip, bounded by what a PostgreSQL `integer` holds. */
export const offsetQuery = z.coerce
  .number(says('must be a non-negative integer'))
  .int('must be a non-negative integer')
  .min(0, 'must be a non-negative integer')
  .max(INT32_MAX, `must be at most ${INT32_MAX}`)
  .default(0);

/** `?limit=&offset=` of the catalog's list routes; extend it with a route's filters. */
export const pageQuery = z.strictObject({ limit: limitQuery(1000, 100), offset: offsetQuery });
export type PageQuery = z.output<typeof pageQuery>;
