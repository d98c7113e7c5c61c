import { Body, Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, createTokenRequest, uuidParam } from '@flowforge/http';
import type { HttpResponse } from '@flowforge/service-kit';
import { ApiJson, ApiNoContent, listOf, schemas, str } from './auth-api.docs';
import { AuthClient } from './auth.client';
import type { AuthenticatedRequest } from './principal';
import { Interactive, SelfAudited } from './route-access';
import { TokenVerifier } from './token-verifier';

const idParam = ApiParam({ name: 'id', format: 'uuid' });

/** The caller's API tokens, for machines (webhook producers, CI). */
@ApiTags('users')
@SelfAudited()
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(
    private readonly auth: AuthClient,
    private readonly verifier: TokenVerifier,
  ) {}

  @Get()
  @Interactive()
  @ApiOperation({ summary: 'My API tokens', description: 'Never the token itself: it is shown once, at creation.' })
  @ApiJson(200, listOf(schemas.apiToken))
  list(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/tokens' }, req, res);
  }

  @Post()
  @Interactive()
  @ApiOperation({
    summary: 'Create an API token',
    description: 'Scoped to permissions you hold; `token` is in this answer only (it is stored hashed). Use it as `Authorization: Bearer ffp_…`.',
  })
  @ApiZodBody(createTokenRequest)
  @ApiJson(
    201,
    { ...schemas.apiToken, properties: { ...schemas.apiToken.properties, token: str }, required: [...schemas.apiToken.required, 'token'] },
    'Created',
  )
  create(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/tokens', body }, req, res);
  }

  @Delete(':id')
  @idParam
  @Interactive()
  @ApiOperation({ summary: 'Revoke one of my API tokens' })
  @ApiNoContent('Revoked')
  @ApiProblem(404, 'FF_TOKEN_NOT_FOUND')
  async revoke(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'DELETE', path: `/tokens/${id}` }, req, res, (status) => {
      if (status === 204) this.verifier.forgetToken(id);
    });
  }
}
