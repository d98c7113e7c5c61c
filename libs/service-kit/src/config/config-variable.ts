import { z } from 'zod';

/**
 * One environment variable: how to parse it, what a valid value looks like (said back to the user
 * when it is wrong) and whether it is sensitive (twenty's `isSensitive`: never logged, never echoed).
 */
export interface ConfigVariable<T> {
  readonly schema: z.ZodType<T, string | undefined>;
  /** Completes "<NAME> must be ..." — e.g. "an integer between 1 and 65535". */
  readonly expected: string;
  readonly sensitive: boolean;
  readonly description?: string;
  /** Extra rule on the parsed value; returns a full error message (without the FF_CONFIG prefix) or null. */
  check?(value: T): string | null;
}

export type ConfigVariables = Record<string, ConfigVariable<unknown>>;

export type ConfigOf<V extends ConfigVariables> = {
  readonly [K in keyof V]: V[K] extends ConfigVariable<infer T> ? T : never;
};

interface VariableOptions<T> {
  description?: string;
  sensitive?: boolean;
  check?: (value: T) => string | null;
}

function make<T>(schema: z.ZodType<T, string | undefined>, expected: string, opts: VariableOptions<T> = {}): ConfigVariable<T> {
  return { schema, expected, sensitive: opts.sensitive ?? false, description: opts.description, check: opts.check };
}

const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** Builders for the usual shapes. `def` is the default when the variable is unset or blank. */
export const env = {
  int(bounds: { min: number; max: number; def?: number }, opts?: VariableOptions<number>): ConfigVariable<number> {
    const expected = `an integer between ${bounds.min} and ${bounds.max}`;
    const base = z
      .string()
      .regex(/^-?\d+$/)
      .transform(Number)
      .pipe(z.number().int().min(bounds.min).max(bounds.max));
    const schema =
      bounds.def === undefined
        ? z.string().transform(blankToUndefined).pipe(base)
        : z
            .string()
            .optional()
            .transform(blankToUndefined)
            .pipe(base.optional())
            .transform((v) => v ?? bounds.def!);
    return make(schema as z.ZodType<number, string | undefined>, expected, opts);
  },

  port(def?: number, opts?: VariableOptions<number>): ConfigVariable<number> {
    return env.int({ min: 1, max: 65535, def }, opts);
  },

  enumOf<const T extends readonly [string, ...string[]]>(values: T, def?: T[number], opts?: VariableOptions<T[number]>): ConfigVariable<T[number]> {
    const expected = `one of ${values.map((v) => `"${v}"`).join(', ')}`;
    const base = z.enum(values);
    const schema =
      def === undefined
        ? z.string().transform(blankToUndefined).pipe(base)
        : z
            .string()
            .optional()
            .transform(blankToUndefined)
            .pipe(base.optional())
            .transform((v) => v ?? def);
    return make(schema as unknown as z.ZodType<T[number], string | undefined>, expected, opts);
  },

  /** An absolute URL whose protocol is one of `protocols` (e.g. ['postgres:', 'postgresql:']). */
  url(protocols: string[], example: string, def?: string, opts?: VariableOptions<string>): ConfigVariable<string> {
    const expected = `a ${protocols.map((p) => p.replace(/:$/, '://')).join(' or ')} URL, e.g. ${example}`;
    const base = z.string().refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    });
    const schema =
      def === undefined
        ? z.string().transform(blankToUndefined).pipe(base)
        : z
            .string()
            .optional()
            .transform(blankToUndefined)
            .pipe(base.optional())
            .transform((v) => v ?? def);
    return make(schema as z.ZodType<string, string | undefined>, expected, opts);
  },

  /** Like `url` but may stay unset (the value is then undefined). */
  optionalUrl(protocols: string[], example: string, opts?: VariableOptions<string | undefined>): ConfigVariable<string | undefined> {
    const inner = env.url(protocols, example);
    const schema = z.string().optional().transform(blankToUndefined).pipe(inner.schema.optional());
    return make(schema as z.ZodType<string | undefined, string | undefined>, inner.expected, opts);
  },

  string(def?: string, opts?: VariableOptions<string> & { expected?: string; pattern?: RegExp }): ConfigVariable<string> {
    const expected = opts?.expected ?? 'a non-empty string';
    const base = opts?.pattern ? z.string().regex(opts.pattern) : z.string().min(1);
    const schema =
      def === undefined
        ? z.string().transform(blankToUndefined).pipe(base)
        : z
            .string()
            .optional()
            .transform(blankToUndefined)
            .pipe(base.optional())
            .transform((v) => v ?? def);
    return make(schema as z.ZodType<string, string | undefined>, expected, opts);
  },
};
