import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { NameParamsInterceptor } from './name-params.interceptor';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * Limits of the public API beyond authentication: the rate limit and the name-parameter check. Imported
 * after AuthApiModule so that its guard runs after the AuthGuard (global guards run in registration
 * order) and sees the principal.
 */
@Module({
  providers: [
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_INTERCEPTOR, useClass: NameParamsInterceptor },
  ],
})
export class LimitsModule {}
