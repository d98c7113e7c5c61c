import { Readable } from 'node:stream';
import type { HttpRequest } from './http-types';
import { MAX_YAML_BYTES, readYamlBody, yamlFlowDepthExceeds } from './yaml-body.reader';

const request = (contentType: string | undefined, body: string | Buffer, parsed?: unknown): HttpRequest =>
  Object.assign(Readable.from([Buffer.isBuffer(body) ? body : Buffer.from(body)]), {
    headers: contentType ? { 'content-type': contentType } : {},
    body: parsed,
  }) as unknown as HttpRequest;

describe('readYamlBody', () => {
  it('reads a raw YAML body', async () => {
    await expect(readYamlBody(request('application/yaml; charset=utf-8', 'kind: Job\n'))).resolves.toBe('kind: Job\n');
    await expect(readYamlBody(request('text/yaml', 'a: 1'))).resolves.toBe('a: 1');
  });

  it('reads {"yaml": "..."} from a JSON body, and refuses one without it, naming the field', async () => {
    await expect(readYamlBody(request('application/json', '', { yaml: 'a: 1' }))).resolves.toBe('a: 1');
    await expect(readYamlBody(request('application/json', '', { yml: 'a: 1' }))).rejects.toMatchObject({
      code: 'FF_VALIDATION',
      status: 400,
      fieldErrors: [{ field: 'yaml' }],
    });
  });

  it('refuses other media types (415) and bodies over the limit (413)', async () => {
    await expect(readYamlBody(request('application/xml', '<x/>'))).rejects.toMatchObject({ code: 'FF_UNSUPPORTED_MEDIA_TYPE', status: 415 });
    await expect(readYamlBody(request(undefined, 'a: 1'))).rejects.toMatchObject({ status: 415 });
    await expect(readYamlBody(request('application/yaml', Buffer.alloc(MAX_YAML_BYTES + 1, 'a')))).rejects.toMatchObject({
      code: 'FF_PAYLOAD_TOO_LARGE',
      status: 413,
    });
  });
});

describe('yamlFlowDepthExceeds', () => {
  it('counts flow collections, however they are laid out', () => {
    expect(yamlFlowDepthExceeds(`a: ${'['.repeat(10_000)}${']'.repeat(10_000)}`, 64)).toBe(true);
    expect(yamlFlowDepthExceeds(`- ${'{x: '.repeat(65)}1${'}'.repeat(65)}`, 64)).toBe(true);
    expect(yamlFlowDepthExceeds(`a:\n  - [1, [2, {b: [3]}]]\n`, 3)).toBe(true);
    expect(yamlFlowDepthExceeds(`a:\n  - [1, [2, {b: [3]}]]\n`, 4)).toBe(false);
  });

  it('does not count brackets in plain or quoted scalars, or in comments', () => {
    const text = [
      'apiVersion: flowforge.io/v1',
      `note: x${'['.repeat(100)}`,
      `quoted: "${'['.repeat(100)}"`,
      `single: '${'{'.repeat(100)}''s'`,
      `# ${'['.repeat(100)}`,
      `flow: [a, "${'['.repeat(100)}", it's]`,
      'sql: select a[1] from t',
    ].join('\n');
    expect(yamlFlowDepthExceeds(text, 2)).toBe(false);
  });

  it('readYamlBody refuses a deeply nested body with a 400', async () => {
    await expect(readYamlBody(request('application/yaml', Buffer.from(`a: ${'['.repeat(5000)}`)))).rejects.toMatchObject({
      code: 'FF_YAML_TOO_DEEP',
      status: 400,
    });
  });
});
