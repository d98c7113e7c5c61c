import { FlowForgeError } from '../errors/problem';
import type { HttpRequest } from './http-types';
import { MAX_JSON_DEPTH } from './request-input.check';

/** Workflow-as-code files are small; a megabyte is thousands of steps. */
export const MAX_YAML_BYTES = 1024 * 1024;

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

/**
 * The YAML text of an apply request (the gateway bounds and forwards it, the orchestrator parses it): the raw body when sent as YAML (`curl --data-binary @flows.yaml
 * -H 'content-type: application/yaml'`), or `{ "yaml": "..." }` as JSON. Express only parses JSON, so
 * a YAML body is still unread on the request stream.
 */
export async function readYamlBody(req: HttpRequest): Promise<string> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    const yaml = (req.body as { yaml?: unknown } | undefined)?.yaml;
    if (typeof yaml !== 'string') {
      throw new FlowForgeError('FF_VALIDATION', 400, 'Request validation failed', 'yaml: must be a string holding the YAML documents', [
        { field: 'yaml', message: 'must be a string holding the YAML documents' },
      ]);
    }
    return checkedYaml(yaml);
  }
  if (!YAML_TYPES.includes(type)) {
    throw new FlowForgeError(
      'FF_UNSUPPORTED_MEDIA_TYPE',
      415,
      'Unsupported media type',
      `send the documents as application/yaml (or JSON {"yaml": "..."}); got content-type "${type || '(none)'}"`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > MAX_YAML_BYTES) {
      throw new FlowForgeError('FF_PAYLOAD_TOO_LARGE', 413, 'Payload too large', `the YAML body is larger than ${MAX_YAML_BYTES} bytes`);
    }
    chunks.push(buf);
  }
  return checkedYaml(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The deepest nesting of YAML flow collections (`[`, `{`) in `text`, stopping past `limit`. A YAML
 * parser recurses per level: 10,000 `[` in a 20 KB body ran the process out of memory. Block nesting
 * costs indentation, so a body within MAX_YAML_BYTES cannot nest deeply that way; flow nesting is
 * nearly free and is what this counts. An indicator opens a collection inside another one, or at the
 * start of a block value (after a line start, `- `, `: ` or `? `); quoted scalars and comments are
 * skipped. A `[` inside a plain scalar (`a: x[1]`) is not an indicator and is not counted.
 */
export function yamlFlowDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let atValueStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      atValueStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    const opens = depth > 0 || atValueStart;
    // A quote starts a quoted scalar only where a value starts (`it's` is a plain scalar).
    if ((c === '"' || c === "'") && atValueStart) {
      // A quoted scalar: skip to its end ('' escapes a quote in single quotes, \ escapes in double).
      for (i++; i < text.length; i++) {
        if (c === '"' && text[i] === '\\') i++;
        else if (text[i] === c) {
          if (c === "'" && text[i + 1] === "'") i++;
          else break;
        }
      }
      atValueStart = false;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if ((c === '[' || c === '{') && opens) {
      if (++depth > limit) return true;
      atValueStart = true;
      continue;
    }
    if ((c === ']' || c === '}') && depth > 0) {
      depth--;
      atValueStart = false;
      continue;
    }
    // After `-`, `:`, `?` or `,` followed by a space (or inside a flow collection after `,`/`:`), a value starts.
    atValueStart = (c === '-' || c === ':' || c === '?' || c === ',') && (depth > 0 || /\s/.test(text[i + 1] ?? ' '));
  }
  return false;
}

/** The YAML text, unless its flow collections nest deeper than MAX_JSON_DEPTH (400 FF_YAML_TOO_DEEP). */
function checkedYaml(text: string): string {
  if (yamlFlowDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new FlowForgeError(
      'FF_YAML_TOO_DEEP',
      400,
      'YAML nested too deeply',
      `the YAML documents nest [ ] or { } deeper than ${MAX_JSON_DEPTH} levels; flatten them`,
    );
  }
  return text;
}
