import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { requestSchema } from '../openapi/zod-openapi';
import { limitQuery, offsetQuery } from '../params/page.query';

/** The job types of the transformation executor that write a lake table, and the export. */
export const TRANSFORM_JOB_TYPES = ['transform.silver', 'transform.sql', 'gold.aggregate', 'gold.scd2'] as const;
export type TransformJobType = (typeof TRANSFORM_JOB_TYPES)[number];

/** Bounds of the interactive routes: rows answered, sample rows sent, SQL and expression sizes, parameters. */
export const MAX_PREVIEW_ROWS = 1000;
export const MAX_QUERY_ROWS = 10_000;
export const MAX_SQL_CHARS = 100_000;
export const MAX_EXPRESSION_CHARS = 4000;
export const MAX_SAMPLE_ROWS = 100;
export const MAX_PARAMS = 50;

const text = (min: number, max: number, what = 'a string') =>
  z
    .string(says(`must be ${what} of ${min} to ${max} characters`))
    .min(min, `must be at least ${min} characters long`)
    .max(max, `must be at most ${max} characters long`)
    .refine((v) => !v.includes('\u0000'), 'must not contain a NUL byte');

/** `<layer>.<namespace>.<table>`, e.g. silver.sales.orders. */
export const lakeTableName = z
  .string(says('must be a table name <layer>.<namespace>.<table>'))
  .max(200, 'must be at most 200 characters long')
  .regex(
    /^(bronze|silver|gold)\.[a-z][a-z0-9_]{0,62}\.[a-z][a-z0-9_]{0,62}$/,
    'must be <layer>.<namespace>.<table> with layer bronze, silver or gold, e.g. silver.sales.orders',
  );

const paramName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a parameter name: a letter or "_", then letters, digits or "_" (at most 63)');
const paramValue = z.union(
  [
    z
      .string()
      .max(10_000, 'must be at most 10000 characters long')
      .refine((v) => !v.includes('\u0000'), 'must not contain a NUL byte'),
    z.number(),
    z.boolean(),
    z.null(),
  ],
  says('must be a string, number, boolean or null'),
);
const paramValues = z
  .record(paramName, paramValue, says('must be an object of parameter values'))
  .refine((o) => Object.keys(o).length <= MAX_PARAMS, `must hold at most ${MAX_PARAMS} parameters`);

/** A job configuration to preview (the job type's JSON Schema validates `config`). */
export const transformPreviewRequest = requestSchema(
  'TransformPreviewRequest',
  z.strictObject({
    type: z.enum(TRANSFORM_JOB_TYPES, says(`must be one of ${TRANSFORM_JOB_TYPES.join(', ')}`)),
    config: z.record(z.string(), z.unknown(), says('must be the job configuration (an object)')),
    limit: z
      .number(says(`must be an integer from 1 to ${MAX_PREVIEW_ROWS}`))
      .int()
      .min(1)
      .max(MAX_PREVIEW_ROWS)
      .default(100),
  }),
  'A job configuration of a transformation type, previewed without writing anything',
);
export type TransformPreviewRequest = z.output<typeof transformPreviewRequest>;

const column = z.strictObject({
  name: text(1, 255, 'a column name'),
  type: text(1, 200, 'a DuckDB type'),
});

/** An expression evaluated on sample rows: those of a table, or rows sent with their schema. */
export const expressionTestRequest = requestSchema(
  'ExpressionTestRequest',
  z
    .strictObject({
      expression: text(1, MAX_EXPRESSION_CHARS, 'a SQL expression'),
      table: lakeTableName.optional(),
      schema: z.array(column, says('must be a list of columns')).min(1).max(500, 'must list at most 500 columns').optional(),
      rows: z
        .array(z.record(z.string(), paramValue, says('must be an object of column values')), says('must be a list of rows'))
        .max(MAX_SAMPLE_ROWS, `must hold at most ${MAX_SAMPLE_ROWS} rows`)
        .optional(),
      limit: z
        .number(says(`must be an integer from 1 to ${MAX_SAMPLE_ROWS}`))
        .int()
        .min(1)
        .max(MAX_SAMPLE_ROWS)
        .default(10),
    })
    .superRefine((b, ctx) => {
      if (!b.table && !b.schema) ctx.addIssue({ code: 'custom', path: ['table'], message: 'is required unless schema (and rows) are given' });
      if (b.table && (b.schema || b.rows)) ctx.addIssue({ code: 'custom', path: ['schema'], message: 'must not be given with table' });
    }),
  'A derived-column expression checked against a schema and evaluated on sample rows',
);
export type ExpressionTestRequest = z.output<typeof expressionTestRequest>;

/** A row filter (the condition tree of transform.silver) counted on a table. */
export const filterPreviewRequest = requestSchema(
  'FilterPreviewRequest',
  z.strictObject({
    table: lakeTableName,
    condition: z.record(z.string(), z.unknown(), says('must be a condition (an object)')),
  }),
  'A row filter counted on a table: rows kept and dropped',
);
export type FilterPreviewRequest = z.output<typeof filterPreviewRequest>;

/** A read-only SQL query over the lake tables, in the sandbox. */
export const sqlQueryRequest = requestSchema(
  'SqlQueryRequest',
  z.strictObject({
    sql: text(1, MAX_SQL_CHARS, 'SQL text'),
    params: paramValues.optional(),
    limit: z
      .number(says(`must be an integer from 1 to ${MAX_QUERY_ROWS}`))
      .int()
      .min(1)
      .max(MAX_QUERY_ROWS)
      .default(1000),
  }),
  'One read-only SELECT over bronze/silver/gold tables, with named parameters (:since)',
);
export type SqlQueryRequest = z.output<typeof sqlQueryRequest>;

export const SQL_PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'] as const;

export const sqlTemplateNameParam = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be 1-63 lower-case letters, digits, "_", "." or "-"');

/** A saved SQL template: the SQL and its declared parameters. */
export const putSqlTemplateRequest = requestSchema(
  'PutSqlTemplateRequest',
  z.strictObject({
    description: text(0, 2000).default(''),
    sql: text(1, MAX_SQL_CHARS, 'SQL text'),
    params: z
      .record(
        paramName,
        z.strictObject({ type: z.enum(SQL_PARAM_TYPES, says(`must be one of ${SQL_PARAM_TYPES.join(', ')}`)), default: paramValue.optional() }),
      )
      .refine((o) => Object.keys(o).length <= MAX_PARAMS, `must declare at most ${MAX_PARAMS} parameters`)
      .default({}),
  }),
  'A saved custom-SQL template',
);
export type PutSqlTemplateRequest = z.output<typeof putSqlTemplateRequest>;

/** `?ts=` of the as-of query (an ISO 8601 instant) and how many rows. */
export const asOfQuery = z.strictObject({
  ts: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T12:00:00Z' }),
  limit: limitQuery(MAX_QUERY_ROWS, 1000),
});
export type AsOfQuery = z.output<typeof asOfQuery>;

export const exportHistoryQuery = z.strictObject({
  destination: text(1, 500).optional(),
  limit: limitQuery(1000, 100),
  offset: offsetQuery,
});
export type ExportHistoryQuery = z.output<typeof exportHistoryQuery>;
