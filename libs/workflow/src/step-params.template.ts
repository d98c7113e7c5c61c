/**
 * The `${...}` language of step params, kept deliberately tiny: two reference forms and an escape.
 *   ${params.<name>}                 a run parameter
 *   ${steps.<id>.outputs.<key>}      an output of an upstream step
 *   $${                              a literal "${" (SQL and shell text may contain one)
 * Parsed once for validation (does every reference resolve?) and again for rendering.
 */

export type TemplateRef = { kind: 'param'; name: string; text: string } | { kind: 'output'; stepId: string; key: string; text: string };

export type TemplatePart = string | TemplateRef;

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Malformed references, each naming the text, e.g. `unknown reference "${param.x}" ...`. */
  errors: string[];
}

const PARAM_REF = /^params\.([A-Za-z_][A-Za-z0-9_]{0,62})$/;
const OUTPUT_REF = /^steps\.([a-z0-9][a-z0-9_-]{0,62})\.outputs\.([A-Za-z0-9_-]{1,128})$/;
const EXPECTED = 'expected ${params.<name>} or ${steps.<id>.outputs.<key>} (write $${ for a literal "${")';

export function parseTemplate(value: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: string[] = [];
  let literal = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (!value.startsWith('${', i)) {
      literal += value[i];
      i++;
      continue;
    }
    const end = value.indexOf('}', i + 2);
    if (end < 0) {
      errors.push(`unterminated reference "${value.slice(i, i + 40)}": ${EXPECTED}`);
      literal += value.slice(i);
      break;
    }
    const text = value.slice(i, end + 1);
    const inner = value.slice(i + 2, end).trim();
    const param = PARAM_REF.exec(inner);
    const output = OUTPUT_REF.exec(inner);
    if (literal !== '') parts.push(literal);
    literal = '';
    if (param) parts.push({ kind: 'param', name: param[1]!, text });
    else if (output) parts.push({ kind: 'output', stepId: output[1]!, key: output[2]!, text });
    else errors.push(`unknown reference "${text}": ${EXPECTED}`);
    i = end + 1;
  }
  if (literal !== '') parts.push(literal);
  return { parts, errors };
}

export function templateRefs(value: string): TemplateRef[] {
  return parseTemplate(value).parts.filter((p): p is TemplateRef => typeof p !== 'string');
}
