import { Module } from '@nestjs/common';
import { COMMON_CONFIG, HOST_RUNTIME, LOGGER, serviceConfigToken, type CommonConfig, type FlowForgeLogger, type HostRuntime } from '@flowforge/service-kit';
import type { CatalogConfig } from '../catalog.config';
import { CatalogDataModule } from '../catalog.database';
import { MasterKeyring } from './master-key';
import { resolveMasterKeyring, type ResolvedKeyring } from './master-keyring.resolver';
import { SecretCipher } from './secret-cipher';
import { RESOLVED_KEYRING, SecretRotationService } from './secret-rotation.service';
import { SecretsInternalController } from './secrets-internal.controller';

/**
 * The master keyring, resolved once at boot (a bad key or key file stops the process with exit 78),
 * the cipher built on it and the key rotation. Logs where the key came from and its id, never the key.
 */
@Module({
  imports: [CatalogDataModule],
  controllers: [SecretsInternalController],
  providers: [
    {
      provide: RESOLVED_KEYRING,
      inject: [serviceConfigToken('catalog'), COMMON_CONFIG, HOST_RUNTIME, LOGGER],
      useFactory: (config: CatalogConfig, common: CommonConfig, runtime: HostRuntime, logger: FlowForgeLogger): ResolvedKeyring => {
        const resolved = resolveMasterKeyring({
          masterKey: config.FLOWFORGE_MASTER_KEY,
          previousKeys: config.FLOWFORGE_MASTER_KEY_PREVIOUS,
          home: common.FLOWFORGE_HOME,
          mayGenerate: runtime.mode === 'embedded',
        });
        const fields = { module: 'catalog', keyId: resolved.keyring.current.id, origin: resolved.origin, file: resolved.file };
        logger.info(fields, resolved.created ? `generated a master key into ${resolved.file}` : 'master key loaded');
        if (resolved.rotationPending) {
          logger.warn(
            fields,
            'FF_SECRET_ROTATION_PENDING: master.key.next exists (an interrupted rotation); run `node scripts/catalog-rotate-key.js` again to finish it',
          );
        }
        return resolved;
      },
    },
    { provide: MasterKeyring, inject: [RESOLVED_KEYRING], useFactory: (r: ResolvedKeyring) => r.keyring },
    { provide: SecretCipher, inject: [MasterKeyring], useFactory: (keyring: MasterKeyring) => new SecretCipher(keyring) },
    SecretRotationService,
  ],
  exports: [SecretCipher],
})
export class SecretsModule {}
