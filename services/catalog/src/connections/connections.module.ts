import { Module } from '@nestjs/common';
import { CatalogDataModule } from '../catalog.database';
import { SecretsModule } from '../secrets/secrets.module';
import { ConnectionsExecutorController } from './connections-executor.controller';
import { ConnectionsInternalController } from './connections-internal.controller';
import { ConnectionsService } from './connections.service';
import { localPathPolicyProvider } from './local-path.provider';

@Module({
  imports: [CatalogDataModule, SecretsModule],
  controllers: [ConnectionsInternalController, ConnectionsExecutorController],
  providers: [ConnectionsService, localPathPolicyProvider],
})
export class ConnectionsModule {}
