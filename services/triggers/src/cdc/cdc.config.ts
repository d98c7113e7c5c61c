import { says } from '@flowforge/service-kit';
import { z } from 'zod';

/** A column or table name the connector's include lists take literally (no regex characters, no quoting). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}\.[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export const CDC_OPERATIONS = ['insert', 'update', 'delete'] as const;
export type CdcOperation = (typeof CDC_OPERATIONS)[number];

export const CDC_CONDITION_OPS = ['eq', 'ne', 'gt', 'lt', 'in', 'changed'] as const;
export type CdcConditionOp = (typeof CDC_CONDITION_OPS)[number];

export const CDC_WINDOW_MS = { min: 10, max: 60_000, default: 1_000 } as const;
export const CDC_MAX_CHANGES = { min: 1, max: 100, default: 10 } as const;
export const CDC_MAX_TABLES = 50;
export const CDC_MAX_KEY_COLUMNS = 16;
export const CDC_MAX_IN_VALUES = 100;

const scalar = z.union([z.string().max(1024, 'must be at most 1024 characters'), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, number, boolean or null',
});

const distinct = <T>(items: T[]): boolean => new Set(items).size === items.length;

export const cdcConditionSchema = z
  .strictObject({
    column: z.string(says('must be a column name')).regex(IDENTIFIER, 'must be a column name (letters, digits and _, at most 63)'),
    op: z.enum(CDC_CONDITION_OPS, says(`must be one of ${CDC_CONDITION_OPS.map((o) => `"${o}"`).join(', ')}`)),
    // The list's bounds are checked below: inside the union a too-long list would only say "invalid input".
    value: z.union([scalar, z.array(scalar)], { error: 'must be a string, number, boolean or null, or a list of them for "in"' }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.op === 'changed') {
      if (c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be absent for "changed"' });
    } else if (c.op === 'in') {
      if (!Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be a list of values for "in"' });
      else if (c.value.length === 0) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must list at least one value' });
      else if (c.value.length > CDC_MAX_IN_VALUES) ctx.addIssue({ code: 'custom', path: ['value'], message: `must list at most ${CDC_MAX_IN_VALUES} values` });
    } else if (c.value === undefined || Array.isArray(c.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `must be one string, number, boolean or null for "${c.op}"` });
    }
  });

/** A `cdc` trigger's config: which tables of which catalog connection, which changes, how they are batched. */
export const cdcConfigSchema = z.strictObject({
  /** A catalog connection of type postgres or mysql (MySQL or MariaDB). */
  connection: z.string(says('must be a catalog connection name')).min(1, 'must be a catalog connection name').max(200, 'must be at most 200 characters'),
  tables: z
    .array(
      z.string(says('must be schema.table')).regex(TABLE, 'must be schema.table (letters, digits and _; for MariaDB database.table)'),
      says('must be a list of schema.table names'),
    )
    .min(1, 'must list at least one table')
    .max(CDC_MAX_TABLES, `must list at most ${CDC_MAX_TABLES} tables`)
    .refine(distinct, 'must not list a table twice'),
  operations: z
    .array(z.enum(CDC_OPERATIONS, says('must be "insert", "update" or "delete"')), says('must be a list of operations'))
    .min(1, 'must list at least one operation')
    .refine(distinct, 'must not list an operation twice')
    .default([...CDC_OPERATIONS]),
  condition: cdcConditionSchema.optional(),
  windowMs: z
    .number(says('must be a number of milliseconds'))
    .int('must be a whole number of milliseconds')
    .min(CDC_WINDOW_MS.min, `must be at least ${CDC_WINDOW_MS.min}`)
    .max(CDC_WINDOW_MS.max, `must be at most ${CDC_WINDOW_MS.max}`)
    .default(CDC_WINDOW_MS.default),
  keyColumns: z
    .array(z.string(says('must be a column name')).regex(IDENTIFIER, 'must be a column name (letters, digits and _, at most 63)'))
    .min(1, 'must list at least one column')
    .max(CDC_MAX_KEY_COLUMNS, `must list at most ${CDC_MAX_KEY_COLUMNS} columns`)
    .refine(distinct, 'must not list a column twice')
    .optional(),
  /** How many changed rows the payload carries in full (`changes`); `count` and `keys` cover the whole batch. */
  maxChanges: z
    .number(says('must be a number'))
    .int('must be a whole number')
    .min(CDC_MAX_CHANGES.min, `must be at least ${CDC_MAX_CHANGES.min}`)
    .max(CDC_MAX_CHANGES.max, `must be at most ${CDC_MAX_CHANGES.max}`)
    .default(CDC_MAX_CHANGES.default),
});

export type CdcConfig = z.output<typeof cdcConfigSchema>;
export type CdcCondition = z.output<typeof cdcConditionSchema>;
