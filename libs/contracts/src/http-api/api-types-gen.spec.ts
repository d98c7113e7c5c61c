import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';

const repo = path.resolve(__dirname, '../../../..');
const script = path.join(repo, 'scripts/api-types-gen.js');
const { generate, INPUT, OUTPUT } = createRequire(__filename)(script) as {
  generate: (doc: unknown, source?: string) => string;
  INPUT: string;
  OUTPUT: string;
};

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/** A small document with each construct the generator translates. */
function fixture(): Record<string, unknown> {
  return {
    openapi: '3.0.0',
    info: { title: 'Fixture', version: '1.2.3' },
    paths: {
      '/things/{id}': {
        get: {
          operationId: 'things_get',
          summary: 'Get a thing',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'verbose', in: 'query', required: false, schema: { type: 'boolean' } },
            { name: 'label', in: 'query', required: false, schema: {} },
            { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            '404': { description: 'FF_THING_NOT_FOUND', content: problem },
          },
        },
        delete: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Gone' }, '409': { description: 'In use', content: problem } },
        },
      },
      '/things': {
        post: {
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewThing' } } } },
          responses: {
            '201': { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            '200': { description: 'Existing', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          },
        },
      },
      '/things/{id}/events': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'A stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
          'x-sse-events': {
            snapshot: { $ref: '#/components/schemas/Thing' },
            tick: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
          },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          description: 'A thing. Ends */ here.',
          properties: {
            id: { type: 'string', format: 'uuid' },
            kind: { type: 'string', enum: ['small', 'large'] },
            note: { type: 'string', nullable: true, description: 'Free text' },
            tags: { type: 'array', items: { type: 'string' } },
            sizes: { type: 'array', items: { oneOf: [{ type: 'integer' }, { type: 'string' }] } },
            parent: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/NewThing' }] },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            extra: { type: 'object', additionalProperties: true },
            shape: { anyOf: [{ $ref: '#/components/schemas/Kind' }, { type: 'null' }] },
            both: { allOf: [{ $ref: '#/components/schemas/NewThing' }, { type: 'object', properties: { more: { type: 'boolean' } } }] },
            'x-rate': { type: 'number' },
            anything: { description: 'Any JSON' },
          },
          required: ['id', 'kind', 'note', 'tags', 'sizes', 'parent', 'labels', 'shape', 'both', 'x-rate'],
        },
        NewThing: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        Kind: { type: 'string', enum: ['small', 'large'] },
        Problem: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
      },
    },
  };
}

describe('scripts/api-types-gen.js', () => {
  describe('the output of a document', () => {
    const out = generate(fixture(), 'fixture.json');

    it('says where it comes from and that it is not to be edited', () => {
      expect(out.split('\n')[0]).toBe('// Generated from fixture.json by npm run api-types:gen — do not edit.');
      expect(out).not.toMatch(/^import /m);
    });

    it('translates each component schema', () => {
      expect(out).toContain('/** A thing. Ends *\\/ here. */\nexport interface Thing {');
      expect(out).toContain('  /** Format: uuid. */\n  id: string;');
      expect(out).toContain("  kind: 'small' | 'large';");
      expect(out).toContain('  /** Free text */\n  note: string | null;');
      expect(out).toContain('  tags: string[];');
      expect(out).toContain('  sizes: (number | string)[];');
      expect(out).toContain('  parent: NewThing | null;');
      expect(out).toContain('  labels: Record<string, string>;');
      expect(out).toContain('  extra?: Record<string, unknown>;');
      expect(out).toContain('  shape: Kind | null;');
      expect(out).toContain('  both: NewThing & {\n    more?: boolean;\n  };');
      expect(out).toContain("  'x-rate': number;");
      expect(out).toContain('  /** Any JSON */\n  anything?: unknown;');
      expect(out).toContain("export type Kind = 'small' | 'large';");
      expect(out).toContain('export interface ApiSchemas {\n  Kind: Kind;\n  NewThing: NewThing;\n  Problem: Problem;\n  Thing: Thing;\n}');
    });

    it('maps each path and method to its parameters, body and answers', () => {
      const get = out.slice(out.indexOf("  '/things/{id}': {"), out.indexOf("  '/things/{id}/events': {"));
      expect(get).toContain('    /** Get a thing (things_get) */\n    get: {');
      expect(get).toContain('      path: {\n        /** Format: uuid. */\n        id: string;\n      };');
      // An untyped query parameter is text, as the URL carries it.
      expect(get).toContain('      query: {\n        verbose?: boolean;\n        label?: string;\n      };');
      expect(get).toContain("      headers: {\n        'Last-Event-ID'?: string;\n      };");
      expect(get).toContain('      body?: never;');
      expect(get).toContain('      response: Thing;');
      expect(get).toContain('        200: Thing;\n        /** FF_THING_NOT_FOUND */\n        404: Problem;');
      expect(get).toContain('    delete: {');
      expect(get).toContain('      response: void;');
      expect(out).toContain('      /** Sent as application/json. */\n      body: NewThing;');
      expect(out).toContain('      events: {\n        snapshot: Thing;\n        tick: {\n          n: number;\n        };\n      };');
      expect(out).toContain('      query: Record<string, never>;');
    });

    it("is the same text whatever the order of the document's paths and schemas", () => {
      const doc = fixture();
      const reversed = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o).reverse());
      doc.paths = reversed(doc.paths as object);
      (doc.components as { schemas: object }).schemas = reversed((doc.components as { schemas: object }).schemas);
      expect(generate(doc, 'fixture.json')).toBe(out);
    });

    it('typechecks, and the types refuse what the document does not allow', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-api-types-tsc-'));
      try {
        fs.writeFileSync(path.join(dir, 'http-api.ts'), out);
        fs.writeFileSync(
          path.join(dir, 'usage.ts'),
          [
            "import type { ApiEvents, ApiPathParams, ApiQuery, ApiRequestBody, ApiResponse, Thing } from './http-api';",
            "type Got = ApiResponse<'/things/{id}', 'get'>;",
            "const thing: Got = { id: 'a', kind: 'small', note: null, tags: [], sizes: [1, 'x'], parent: null, labels: {}, shape: 'large', both: { name: 'n' }, 'x-rate': 1 };",
            'const same: Thing = thing;',
            "const params: ApiPathParams<'/things/{id}', 'get'> = { id: 'a' };",
            "const query: ApiQuery<'/things/{id}', 'get'> = { verbose: true, label: 'x' };",
            "const body: ApiRequestBody<'/things', 'post'> = { name: 'n' };",
            "const created: ApiResponse<'/things', 'post'> = thing;",
            "const gone: ApiResponse<'/things/{id}', 'delete'> = undefined;",
            "const tick: ApiEvents<'/things/{id}/events', 'get'>['tick'] = { n: 1 };",
            '// @ts-expect-error kind is an enum',
            "const badKind: Thing['kind'] = 'medium';",
            '// @ts-expect-error id is required',
            "const noId: ApiPathParams<'/things/{id}', 'get'> = {};",
            '// @ts-expect-error no such route',
            "type NoRoute = ApiResponse<'/nowhere', 'get'>;",
            '// @ts-expect-error no body on a GET',
            "const getBody: ApiRequestBody<'/things/{id}', 'get'> = { name: 'n' };",
            '// @ts-expect-error note is nullable but required',
            "const noNote: Pick<Thing, 'note'> = {};",
            'export { same, params, query, body, created, gone, tick, badKind, noId, getBody, noNote };',
            'export type { NoRoute };',
            '',
          ].join('\n'),
        );
        const program = ts.createProgram([path.join(dir, 'usage.ts')], {
          strict: true,
          noEmit: true,
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.CommonJS,
          lib: ['lib.es2022.d.ts'],
          types: [],
        });
        const diagnostics = ts
          .getPreEmitDiagnostics(program)
          .map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
        expect(diagnostics).toEqual([]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('a document it refuses', () => {
    it('names a $ref to a schema the document does not define', () => {
      const doc = fixture();
      const schemas = (doc.components as { schemas: Record<string, { properties?: Record<string, unknown> }> }).schemas;
      schemas.NewThing!.properties!.owner = { $ref: '#/components/schemas/Owner' };
      expect(() => generate(doc, 'fixture.json')).toThrow(
        'FF_API_TYPES_INVALID: #/components/schemas/NewThing.owner: $ref #/components/schemas/Owner names no component schema',
      );
    });

    it('is not OpenAPI 3', () => {
      expect(() => generate({ swagger: '2.0', paths: {} }, 'old.json')).toThrow('FF_API_TYPES_INVALID: old.json: not an OpenAPI 3 document');
    });

    it('has a schema type it does not know', () => {
      const doc = fixture();
      (doc.components as { schemas: Record<string, unknown> }).schemas.Kind = { type: 'decimal' };
      expect(() => generate(doc, 'fixture.json')).toThrow('#/components/schemas/Kind: unknown type "decimal"');
    });
  });

  describe('the command', () => {
    let root: string;

    beforeEach(() => {
      // A temp copy of the input and the committed output: the real tree is never written.
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-api-types-gen-'));
      for (const rel of [INPUT, OUTPUT]) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.copyFileSync(path.join(repo, rel), path.join(root, rel));
      }
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it('--check passes on the committed output', () => {
      const r = run(['--check', '--root', root]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('up to date');
    });

    it('--check names the stale file after a change of the document, and gen repairs it', () => {
      const input = path.join(root, INPUT);
      const doc = JSON.parse(fs.readFileSync(input, 'utf8'));
      doc.components.schemas.RunDto.properties.priority = { type: 'integer', description: 'Higher first' };
      fs.writeFileSync(input, JSON.stringify(doc, null, 2));

      const r = run(['--check', '--root', root]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('FF_API_TYPES_STALE');
      expect(r.stderr).toContain(`stale: ${OUTPUT}`);

      expect(run(['--root', root]).status).toBe(0);
      expect(run(['--check', '--root', root]).status).toBe(0);
      const text = fs.readFileSync(path.join(root, OUTPUT), 'utf8');
      expect(text).toContain('  /** Higher first */\n  priority?: number;\n}');
    });

    it('--check names a missing file', () => {
      fs.rmSync(path.join(root, OUTPUT));
      const r = run(['--check', '--root', root]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`missing: ${OUTPUT}`);
    });

    it('exits 1 with the reason when the document is not JSON, writing nothing', () => {
      fs.writeFileSync(path.join(root, INPUT), '{ not json');
      const before = fs.readFileSync(path.join(root, OUTPUT), 'utf8');
      const r = run(['--root', root]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`FF_API_TYPES_INVALID: ${INPUT}: not valid JSON`);
      expect(fs.readFileSync(path.join(root, OUTPUT), 'utf8')).toBe(before);
    });
  });
});
