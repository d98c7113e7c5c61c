import type { Provider } from '@nestjs/common';
import fs from 'node:fs';
import path from 'node:path';
import { COMMON_CONFIG, dataSourceToken, LOGGER, serviceConfigToken, type CommonConfig, type FlowForgeLogger } from '@flowforge/service-kit';
import type { DataSource } from 'typeorm';
import type { CatalogConfig } from '../catalog.config';
import { localPathPolicy, type LocalPathPolicy } from '@flowforge/connectors';

/** `() => Promise<LocalPathPolicy>`: the policy local connections are judged by (built once, on first use). */
export const LOCAL_PATH_POLICY = Symbol.for('flowforge.catalog.local-path-policy');

/**
 * Built on first use, because it asks PostgreSQL where its data lives (a server on this machine must not
 * be reachable through a local connection either); a role that may not read `data_directory` skips that.
 * The default root `<FLOWFORGE_HOME>/landing` is created so that a first local connection has a place.
 */
export const localPathPolicyProvider: Provider = {
  provide: LOCAL_PATH_POLICY,
  inject: [serviceConfigToken('catalog'), COMMON_CONFIG, dataSourceToken('catalog'), LOGGER],
  useFactory: (config: CatalogConfig, common: CommonConfig, dataSource: DataSource, logger: FlowForgeLogger) => {
    let built: Promise<LocalPathPolicy> | undefined;
    return () =>
      (built ??= (async () => {
        const extraGuarded: { dir: string; what: string }[] = [];
        try {
          const rows = (await dataSource.query(`SELECT current_setting('data_directory') AS dir`)) as { dir: string }[];
          if (rows[0]?.dir) extraGuarded.push({ dir: rows[0].dir, what: "the platform's PostgreSQL data" });
        } catch {
          // Not a superuser nor pg_read_all_settings: the server's folder stays unknown here.
        }
        const home = path.resolve(common.FLOWFORGE_HOME);
        const policy = localPathPolicy({
          home,
          lakeDir: config.FLOWFORGE_LAKE_STORE === 'local' ? config.FLOWFORGE_LAKE_DIR || path.join(home, 'lake') : null,
          roots: config.FLOWFORGE_LOCAL_CONNECTION_ROOTS,
          extraGuarded,
        });
        if (!config.FLOWFORGE_LOCAL_CONNECTION_ROOTS) {
          try {
            fs.mkdirSync(policy.roots[0]!, { recursive: true, mode: 0o750 });
          } catch (err) {
            logger.warn({ module: 'catalog', err, root: policy.roots[0] }, 'cannot create the default root of local connections');
          }
        }
        return policy;
      })());
  },
};
