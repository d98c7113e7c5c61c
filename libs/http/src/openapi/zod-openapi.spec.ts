import { Body, Controller, Module, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { addRequestSchemas, ApiZodBody, ApiZodQuery, requestSchemas, requestSchema } from './zod-openapi';

const inner = requestSchema('ZodOpenApiSpecInner', z.strictObject({ port: z.number().int().min(1).max(65535) }));
const outer = requestSchema(
  'ZodOpenApiSpecOuter',
  z.strictObject({ name: z.string().min(1).max(10).describe('the name'), when: z.iso.datetime().optional(), inner }),
  'An outer body',
);
const unused = requestSchema('ZodOpenApiSpecUnused', z.strictObject({ a: z.string() }));
const query = z.strictObject({ limit: z.coerce.number().int().min(1).max(5).default(2).describe('page size'), q: z.string().max(3) });

@Controller('x')
class ProbeController {
  @Post()
  @ApiZodBody(outer)
  @ApiZodQuery(query)
  create(@Body() _body: unknown, @Query() _q: unknown): void {}
}
@Module({ controllers: [ProbeController] })
class ProbeModule {}

const docWith = (ref: string): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: { '/x': { post: { responses: {}, requestBody: { content: { 'application/json': { schema: { $ref: ref } } } } } } },
  components: { schemas: { Existing: { type: 'object' } } },
});

describe('zod → OpenAPI', () => {
  it('names a body by its registered component and describes its query fields one parameter each, in the document Nest builds', async () => {
    const app = await NestFactory.create(ProbeModule, { logger: false, preview: true });
    const doc = addRequestSchemas(SwaggerModule.createDocument(app, new DocumentBuilder().build()));
    await app.close();
    const op = doc.paths['/x']!.post!;
    expect(op.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ZodOpenApiSpecOuter' } } } });
    expect(op.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          in: 'query',
          name: 'limit',
          required: false,
          description: 'page size',
          schema: { default: 2, type: 'integer', minimum: 1, maximum: 5 },
        }),
        expect.objectContaining({ in: 'query', name: 'q', required: true, schema: { type: 'string', maxLength: 3 } }),
      ]),
    );
    expect(Object.keys(doc.components!.schemas!)).toEqual(expect.arrayContaining(['ZodOpenApiSpecOuter', 'ZodOpenApiSpecInner']));
  });

  it('adds the components a document refers to, and those they refer to, for OpenAPI 3.0', () => {
    const doc = addRequestSchemas(docWith('#/components/schemas/ZodOpenApiSpecOuter'));
    const schemas = doc.components!.schemas!;
    expect(schemas.Existing).toEqual({ type: 'object' });
    expect(schemas.ZodOpenApiSpecOuter).toEqual({
      description: 'An outer body',
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 10, description: 'the name' },
        // A format says it all: zod's long pattern is left out.
        when: { type: 'string', format: 'date-time' },
        inner: { $ref: '#/components/schemas/ZodOpenApiSpecInner' },
      },
      required: ['name', 'inner'],
      additionalProperties: false,
    });
    expect(schemas.ZodOpenApiSpecInner).toMatchObject({ properties: { port: { type: 'integer', minimum: 1, maximum: 65535 } } });
    // Registered schemas the document does not use stay out of it.
    expect(requestSchemas.get(unused)).toEqual({ id: 'ZodOpenApiSpecUnused' });
    expect(Object.keys(schemas).sort()).toEqual(['Existing', 'ZodOpenApiSpecInner', 'ZodOpenApiSpecOuter']);
  });

  it('refuses to build a document that refers to a schema nobody defines, and a body schema without a name', () => {
    expect(() => addRequestSchemas(docWith('#/components/schemas/NoSuchSchema'))).toThrow(/FF_OPENAPI_UNKNOWN_SCHEMA.*NoSuchSchema/);
    expect(() => ApiZodBody(z.object({ a: z.string() }))).toThrow(/FF_OPENAPI_UNNAMED/);
  });
});
