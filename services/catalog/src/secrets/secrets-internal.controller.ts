import { Controller, HttpCode, Post } from '@nestjs/common';
import { SecretRotationService, type RotationResult } from './secret-rotation.service';

/** Internal only (scripts/catalog-rotate-key.js calls it); the gateway never forwards here. */
@Controller('internal/catalog/secrets')
export class SecretsInternalController {
  constructor(private readonly rotation: SecretRotationService) {}

  @Post('rotate')
  @HttpCode(200)
  rotate(): Promise<RotationResult> {
    return this.rotation.rotate();
  }
}
