import { Module } from '@nestjs/common';
import path from 'node:path';
import { COMMON_CONFIG, serviceConfigToken, type CommonConfig } from '@flowforge/service-kit';
import type { IngestionConfig } from '../ingestion.config';
import { UploadStore } from './upload.store';
import { UploadsInternalController } from './uploads-internal.controller';

/** The folder of uploads: `$FLOWFORGE_UPLOAD_DIR`, else `$FLOWFORGE_HOME/landing/uploads`. */
export function uploadDirOf(config: IngestionConfig, common: CommonConfig): string {
  return path.resolve(config.FLOWFORGE_UPLOAD_DIR || path.join(common.FLOWFORGE_HOME, 'landing', 'uploads'));
}

@Module({
  controllers: [UploadsInternalController],
  providers: [
    {
      provide: UploadStore,
      inject: [serviceConfigToken('ingestion'), COMMON_CONFIG],
      useFactory: (config: IngestionConfig, common: CommonConfig) => new UploadStore(uploadDirOf(config, common), config.FLOWFORGE_UPLOAD_MAX_BYTES),
    },
  ],
  exports: [UploadStore],
})
export class UploadsModule {}
