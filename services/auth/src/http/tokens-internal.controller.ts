import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { Actor } from '@flowforge/access';
import { ZodPipe } from '@flowforge/service-kit';
import type { z } from 'zod';
import { ApiTokensService, type ApiTokenView, type VerifiedApiToken } from '../tokens/api-tokens.service';
import { CallingActor, userIdOf } from './actor.decorator';
import { createTokenRequest, verifyTokenRequest, uuidParam } from '@flowforge/http';

/** The caller's own API tokens, and verification for the gateway. */
@Controller('internal/auth/tokens')
export class TokensInternalController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  list(@CallingActor() actor: Actor): Promise<ApiTokenView[]> {
    return this.tokens.list(userIdOf(actor));
  }

  @Post()
  create(
    @Body(new ZodPipe(createTokenRequest)) body: z.infer<typeof createTokenRequest>,
    @CallingActor() actor: Actor,
  ): Promise<ApiTokenView & { token: string }> {
    return this.tokens.create(userIdOf(actor), body, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', uuidParam()) id: string, @CallingActor() actor: Actor): Promise<void> {
    await this.tokens.revoke(id, userIdOf(actor), actor);
  }

  @Post('verify')
  @HttpCode(200)
  verify(@Body(new ZodPipe(verifyTokenRequest)) body: z.infer<typeof verifyTokenRequest>): Promise<VerifiedApiToken> {
    return this.tokens.verify(body.token);
  }
}
