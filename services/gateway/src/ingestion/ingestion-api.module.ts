import { Module } from '@nestjs/common';
import { IngestionClient } from './ingestion.client';
import { UploadsController } from './uploads.controller';

/** /api/v1/uploads: relayed (streamed) to the ingestion service's internal API. */
@Module({
  controllers: [UploadsController],
  providers: [IngestionClient],
})
export class IngestionApiModule {}
