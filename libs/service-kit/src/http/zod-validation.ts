import { type PipeTransform } from '@nestjs/common';
import { ValidationProblem } from '../errors/problem';
import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

/** An error option for zod leaves: "is required" when the field is missing, `text` otherwise. */
export function says(text: string): { error: (iss: { input?: unknown }) => string } {
  return { error: (iss) => (iss.input === undefined ? 'is required' : text) };
}

function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].filter(Boolean).join('.').replace(/\.\[/g, '[');
}

const ZOD_DEFAULT = /^(Invalid input|Invalid option|Invalid string|Invalid URL|Too small|Too big|Invalid discriminator)/;

/** zod issues as `{ field, message }` pairs naming the full path ("config.port"), in words a user can act on. */
export function fieldErrorsOf(error: z.ZodError, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = pathOf(prefix, issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: pathOf(field, [key]), message: 'is not a known field' });
      continue;
    }
    let message = issue.message;
    if (ZOD_DEFAULT.test(message)) {
      if (issue.code === 'invalid_type') message = /received undefined/.test(message) ? 'is required' : `must be ${article(issue.expected)}`;
      else if (issue.code === 'invalid_value') message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      else if (issue.code === 'invalid_union' && 'options' in issue) {
        message = `must be one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      } else if (issue.code === 'too_small')
        message = `must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' items long' : ''}`;
      else if (issue.code === 'too_big')
        message = `must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' items long' : ''}`;
      else message = message.charAt(0).toLowerCase() + message.slice(1);
    }
    out.push({ field: field || '(body)', message });
  }
  return out;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Parses with `schema` or throws 400 FF_VALIDATION naming each field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationProblem(fieldErrorsOf(parsed.error, prefix));
  return parsed.data;
}

/** `@Body(new ZodPipe(schema))`: the route gets what `schema` parses the value into; failures leave as 400 problem+json. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly prefix = '',
  ) {}

  transform(value: unknown): z.output<S> {
    return parseOrThrow(this.schema, value, this.prefix);
  }
}

/**
 * `@Query(new ZodCheckPipe(schema))`: refuses what `schema` refuses and hands the value on as it came — for
 * a gateway route that forwards the query to the service owning it, which parses it with the same schema.
 */
export class ZodCheckPipe<S extends z.ZodType> implements PipeTransform<unknown, unknown> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): unknown {
    parseOrThrow(this.schema, value);
    return value;
  }
}
