import { TransformError, type TransformProblem } from '../transform.errors';
import { SQL_PARAM_NAME, SQL_PARAM_TYPES, coerceParam, findNamedParams, type SqlParamDecl } from './sql-params';
import { SQL_MAX_LENGTH } from './sql-sandbox';
import { SQL_PARAMS_SCHEMA, type TransformSqlConfig } from './transform-sql';

/**
 * Saved SQL templates: a named query with its parameter declarations, reusable by `transform.sql` jobs
 * and the console's SQL editor. This is the pure part (shape and consistency); storing, listing and
 * access control are the service's.
 */
export interface SqlTemplate {
  /** 1-63 lower-case letters, digits, "_" or "-", starting with a letter. */
  name: string;
  description?: string;
  sql: string;
  params?: Record<string, SqlParamDecl>;
}

const TEMPLATE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** A template's shape (JSON Schema 2020-12), for the service's HTTP validation and the console's form. */
export const SQL_TEMPLATE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'SQL template',
  description: 'A saved query with named parameters',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'sql'],
  properties: {
    name: {
      type: 'string',
      pattern: TEMPLATE_NAME.source,
      maxLength: 63,
      title: 'Name',
      description: '1-63 lower-case letters, digits, _ or -, starting with a letter',
    },
    description: { type: 'string', maxLength: 2000, pattern: '^[^\\u0000]*$', title: 'Description', description: 'What the query answers' },
    sql: { type: 'string', minLength: 1, maxLength: SQL_MAX_LENGTH, pattern: '^[^\\u0000]*$', title: 'SQL', description: 'One SELECT with :name parameters' },
    params: SQL_PARAMS_SCHEMA,
  },
} as const;

/**
 * Checks a template without running it: the shape, every `:name` used declared, every declaration used,
 * defaults fitting their types. Whether the SQL parses and which tables it reads is the sandbox's
 * `validate` (it needs the caller's tables). Throws FF_TRANSFORM_CONFIG (shape) or FF_SQL_PARAMETER.
 */
export function validateSqlTemplate(template: unknown): SqlTemplate {
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new TransformError('FF_TRANSFORM_CONFIG', 'a template must be an object', { problems: [{ field: '', message: 'must be an object' }] });
  }
  const t = template as Record<string, unknown>;
  const shape: TransformProblem[] = [];
  for (const key of Object.keys(t)) if (!(key in SQL_TEMPLATE_SCHEMA.properties)) shape.push({ field: key, message: 'is not a property of a template' });
  if (typeof t.name !== 'string' || !TEMPLATE_NAME.test(t.name)) shape.push({ field: 'name', message: SQL_TEMPLATE_SCHEMA.properties.name.description });
  if (t.description !== undefined && (typeof t.description !== 'string' || t.description.length > 2000 || t.description.includes('\0'))) {
    shape.push({ field: 'description', message: 'must be at most 2000 characters without NUL' });
  }
  if (typeof t.sql !== 'string' || t.sql.length === 0 || t.sql.length > SQL_MAX_LENGTH || t.sql.includes('\0')) {
    shape.push({ field: 'sql', message: `must be 1 to ${SQL_MAX_LENGTH} characters without NUL` });
  }
  const params = t.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params) || Object.keys(params).length > 50) {
    shape.push({ field: 'params', message: 'must be an object of at most 50 parameters' });
  }
  if (shape.length > 0) throw new TransformError('FF_TRANSFORM_CONFIG', shape.map((p) => `${p.field}: ${p.message}`).join('; '), { problems: shape });

  const problems: TransformProblem[] = [];
  const declared = params as Record<string, Partial<SqlParamDecl> | null>;
  const used = findNamedParams(t.sql as string);
  for (const [name, decl] of Object.entries(declared)) {
    if (!SQL_PARAM_NAME.test(name))
      problems.push({ field: `params.${name}`, message: 'a parameter name is a letter or "_" then letters, digits or "_" (at most 63)' });
    else if (!decl || typeof decl !== 'object' || !Object.prototype.hasOwnProperty.call(SQL_PARAM_TYPES, decl.type as string)) {
      problems.push({ field: `params.${name}.type`, message: `type must be one of ${Object.keys(SQL_PARAM_TYPES).join(', ')}` });
    } else {
      const extra = Object.keys(decl).filter((k) => k !== 'type' && k !== 'default');
      if (extra.length > 0) problems.push({ field: `params.${name}.${extra[0]}`, message: 'is not a property of a parameter' });
      if (decl.default !== undefined) {
        const checked = coerceParam(decl.type!, decl.default);
        if (typeof checked === 'object' && checked !== null) problems.push({ field: `params.${name}.default`, message: `:${name} ${checked.error}` });
      }
      if (!used.some((u) => u.name === name)) problems.push({ field: `params.${name}`, message: `parameter :${name} is declared but the SQL never uses it` });
    }
  }
  const reported = new Set<string>();
  for (const u of used) {
    if (!Object.prototype.hasOwnProperty.call(declared, u.name) && !reported.has(u.name)) {
      reported.add(u.name);
      problems.push({ field: 'sql', position: u.start, message: `parameter :${u.name} is not declared` });
    }
  }
  if (problems.length > 0) throw new TransformError('FF_SQL_PARAMETER', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems });
  return t as unknown as SqlTemplate;
}

/** A `transform.sql` config from a template: its SQL and declarations, the run's values and target. */
export function templateToConfig(
  template: SqlTemplate,
  target: TransformSqlConfig['target'],
  values?: TransformSqlConfig['values'],
  mode?: TransformSqlConfig['mode'],
): TransformSqlConfig {
  return { sql: template.sql, ...(template.params ? { params: template.params } : {}), ...(values ? { values } : {}), target, ...(mode ? { mode } : {}) };
}
