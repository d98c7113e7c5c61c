import { Controller, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FlowForgeError, ValidationProblem, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { ApiProblem } from '@flowforge/http';
import { RequirePermission } from '../auth/route-access';
import { IngestionClient } from './ingestion.client';

/** Files uploaded for ingestion: streamed through to the ingestion service's landing folder. */
@ApiTags('uploads')
@ApiProblem(502, 'FF_INGESTION_UNREACHABLE: the ingestion service did not answer')
@Controller('api/v1/uploads')
export class UploadsController {
  constructor(private readonly ingestion: IngestionClient) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('asset:edit')
  @ApiOperation({
    summary: 'Upload a file for ingestion',
    description:
      'The body is the file, sent as application/octet-stream; it is streamed to the landing folder, never buffered. The answer names its `path` in the `uploads` location: an `ingest.file` step reads it with `connection: uploads`. `flowforge ingest <file>` does this and runs the step.',
  })
  @ApiConsumes('application/octet-stream')
  @ApiQuery({ name: 'name', required: true, description: 'The file name (one segment, at most 255 characters)', example: 'orders.csv' })
  @ApiResponse({
    status: 201,
    description: 'Stored',
    schema: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        path: { type: 'string', description: 'in the `uploads` location' },
        connection: { type: 'string', enum: ['uploads'] },
        size: { type: 'integer' },
        sha256: { type: 'string' },
      },
    },
  })
  @ApiProblem(413, 'FF_UPLOAD_TOO_LARGE: larger than FLOWFORGE_UPLOAD_MAX_BYTES; nothing was kept')
  @ApiProblem(415, 'FF_UPLOAD_CONTENT_TYPE: the body must be application/octet-stream')
  upload(
    @Query('name') name: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('content-length') length: string | undefined,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    // The name is checked again (and fully) by the ingestion service; here only its shape, so a bad one costs no upload.
    if (typeof name !== 'string' || name === '' || name.length > 255) {
      throw new ValidationProblem([{ field: 'name', message: 'is required: a file name of at most 255 characters, e.g. ?name=orders.csv' }]);
    }
    // Any other type may have been parsed (consumed) by a body parser already: refused here, before forwarding.
    if (!/^application\/octet-stream\b/i.test(contentType ?? '')) {
      throw new FlowForgeError(
        'FF_UPLOAD_CONTENT_TYPE',
        415,
        'Unsupported media type',
        `send the file as application/octet-stream; got "${contentType ?? '(none)'}"`,
        [{ field: 'content-type', message: 'must be application/octet-stream' }],
      );
    }
    return this.ingestion.forward(
      {
        method: 'POST',
        path: '/uploads',
        query: { name },
        stream: { contentType: 'application/octet-stream', body: req, length },
      },
      req,
      res,
    );
  }
}
