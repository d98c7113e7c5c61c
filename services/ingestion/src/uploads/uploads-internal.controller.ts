import { Controller, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { FlowForgeError, type HttpRequest } from '@flowforge/service-kit';
import { UploadStore, type UploadView } from './upload.store';

/** Internal: the gateway streams POST /api/v1/uploads (asset:edit) here, body untouched. */
@Controller('internal/ingestion/uploads')
export class UploadsInternalController {
  constructor(private readonly store: UploadStore) {}

  @Post()
  @HttpCode(201)
  async upload(
    @Query('name') name: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Headers('content-length') length: string | undefined,
    @Req() req: HttpRequest,
  ): Promise<UploadView> {
    // Only raw bytes: a JSON or form body would have been parsed (and buffered) by the body parsers already.
    if (!/^application\/octet-stream\b/i.test(contentType ?? '')) {
      throw new FlowForgeError(
        'FF_UPLOAD_CONTENT_TYPE',
        415,
        'Unsupported media type',
        `send the file as application/octet-stream; got "${contentType ?? '(none)'}"`,
        [{ field: 'content-type', message: 'must be application/octet-stream' }],
      );
    }
    const declared = length !== undefined && /^\d{1,16}$/.test(length) ? Number(length) : undefined;
    return this.store.save(typeof name === 'string' ? name : undefined, req, declared);
  }
}
