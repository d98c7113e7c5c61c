import { Readable } from 'node:stream';
import type { HttpRequest } from './http-types';
import { MAX_YAML_BYTES, readYamlBody } from './yaml-body.reader';

const request = (contentType: string | undefined, body: string | Buffer, parsed?: unknown): HttpRequest =>
  Object.assign(Readable.from([Buffer.isBuffer(body) ? body : Buffer.from(body)]), { headers: contentType ? { 'content-type': contentType } : {}, body: parsed }) as unknown as HttpRequest;

describe('readYamlBody', () => {
  it('reads a raw YAML body', async () => {
    await expect(readYamlBody(request('application/yaml; charset=utf-8', 'kind: Job\n'))).resolves.toBe('kind: Job\n');
    await expect(readYamlBody(request('text/yaml', 'a: 1'))).resolves.toBe('a: 1');
  });

  it('reads {"yaml": "..."} from a JSON body, and refuses one without it, naming the field', async () => {
    await expect(readYamlBody(request('application/json', '', { yaml: 'a: 1' }))).resolves.toBe('a: 1');
    await expect(readYamlBody(request('application/json', '', { yml: 'a: 1' }))).rejects.toMatchObject({ code: 'FF_VALIDATION', status: 400, fieldErrors: [{ field: 'yaml' }] });
  });

  it('refuses other media types (415) and bodies over the limit (413)', async () => {
    await expect(readYamlBody(request('application/xml', '<x/>'))).rejects.toMatchObject({ code: 'FF_UNSUPPORTED_MEDIA_TYPE', status: 415 });
    await expect(readYamlBody(request(undefined, 'a: 1'))).rejects.toMatchObject({ status: 415 });
    await expect(readYamlBody(request('application/yaml', Buffer.alloc(MAX_YAML_BYTES + 1, 'a')))).rejects.toMatchObject({ code: 'FF_PAYLOAD_TOO_LARGE', status: 413 });
  });
});
