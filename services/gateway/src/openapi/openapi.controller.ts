import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags, type OpenAPIObject } from '@nestjs/swagger';
import { GatewayApiDocument } from './gateway-api.document';
import { Public } from '../auth/route-access';

/** The public API described by itself (OpenAPI 3), generated from the gateway's controllers. */
@ApiTags('system')
@Controller('api')
export class OpenApiController {
  constructor(private readonly document: GatewayApiDocument) {}

  @Get('openapi.json')
  @Public()
  @ApiOperation({
    summary: 'The OpenAPI document of this API',
    description: "Generated from the gateway's controllers; the same document is committed as services/gateway/openapi.json and checked in CI.",
  })
  @ApiResponse({ status: 200, description: 'An OpenAPI 3 document', schema: { type: 'object', additionalProperties: true } })
  get(): OpenAPIObject {
    return this.document.get();
  }
}
