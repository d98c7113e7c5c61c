import { FlowForgeError } from '../errors/problem';
import type { HttpRequest } from './http-types';

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
    return yaml;
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
  return Buffer.concat(chunks).toString('utf8');
}
