import { describeOpenApiChanges } from './openapi.diff';

const doc = (over: Record<string, unknown> = {}) => ({
  openapi: '3.0.0',
  info: { title: 'FlowForge', version: '0.1.0' },
  paths: {
    '/api/v1/runs': { get: { operationId: 'runs_list', responses: { 200: { description: '' } } }, post: { operationId: 'runs_create', responses: {} } },
  },
  components: { schemas: { RunDto: { type: 'object' }, Problem: { type: 'object' } } },
  ...over,
});

describe('describeOpenApiChanges', () => {
  it('is empty for equal documents', () => {
    expect(describeOpenApiChanges(doc(), doc())).toEqual([]);
  });

  it('names added, removed and changed operations, schemas and top-level fields', () => {
    const after = doc({
      info: { title: 'FlowForge', version: '0.2.0' },
      paths: {
        '/api/v1/runs': { get: { operationId: 'runs_list', responses: { 200: { description: 'Newest first' } } } },
        '/api/v1/runs/{id}': { get: { operationId: 'runs_get', responses: {} } },
      },
      components: { schemas: { RunDto: { type: 'object', required: ['id'] }, StepDto: { type: 'object' } } },
    });
    expect(describeOpenApiChanges(doc(), after).sort()).toEqual(
      [
        '+ operation GET /api/v1/runs/{id}',
        '- operation POST /api/v1/runs',
        '~ operation GET /api/v1/runs',
        '+ schema StepDto',
        '- schema Problem',
        '~ schema RunDto',
        '~ field info',
      ].sort(),
    );
  });

  it('treats a missing committed document as everything added', () => {
    expect(describeOpenApiChanges(undefined, doc())).toContain('+ operation POST /api/v1/runs');
  });
});
