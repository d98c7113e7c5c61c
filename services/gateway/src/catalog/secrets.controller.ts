import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { ApiProblem } from '@flowforge/http';
import { CatalogClient } from './catalog.client';

/** Operations on the secrets the catalog keeps (connection passwords, keys): key rotation. */
@ApiTags('system')
@ApiProblem(502, 'FF_CATALOG_UNREACHABLE: the catalog did not answer')
@Controller('api/v1/system/secrets')
export class SecretsController {
  constructor(private readonly catalog: CatalogClient) {}

  @Post('rotate')
  @HttpCode(200)
  @RequirePermission('settings:configure-system')
  @ApiOperation({
    summary: 'Rotate the master key',
    description:
      'Re-encrypts every connection secret under the current master key in one transaction (embedded: a new key file is generated first). `next` says what the operator still has to do. `node scripts/catalog-rotate-key.js` calls this.',
  })
  @ApiResponse({
    status: 200,
    description: 'Rotated',
    schema: {
      type: 'object',
      properties: {
        keyId: { type: 'string' },
        previousKeyId: { type: 'string' },
        total: { type: 'integer', description: 'secrets re-encrypted' },
        origin: { type: 'string' },
        next: { type: 'string' },
      },
    },
  })
  @ApiProblem(409, 'FF_SECRET_ROTATION_RUNNING: a rotation is already running')
  rotate(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'POST', path: '/secrets/rotate' }, req, res);
  }
}
