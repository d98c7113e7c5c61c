import { Controller, HttpCode, Post } from '@nestjs/common';
import { SecretRotationService, type RotationResult } from './secret-rotation.service';

/** Internal: the gateway forwards POST /api/v1/system/secrets/rotate (settings:configure-system) here. */
@Controller('internal/catalog/secrets')
export class SecretsInternalController {
  constructor(private readonly rotation: SecretRotationService) {}

  @Post('rotate')
  @HttpCode(200)
  rotate(): Promise<RotationResult> {
    return this.rotation.rotate();
  }
}
