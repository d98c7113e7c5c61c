import { Injectable } from '@nestjs/common';
import { ForbiddenAddressError, resolvePublicTarget } from '@flowforge/connectors';
import { ValidationProblem } from '@flowforge/service-kit';
import { CatalogConnectionClient } from '../file/catalog-connection.client';
import type { CdcConnection, CdcConnectionResolver } from './cdc-connection.port';

const DEFAULT_PORT = { postgres: 5432, mysql: 3306 } as const;

/**
 * A cdc trigger's database from its catalog connection (`postgres` or `mysql`), secret included, read
 * through the catalog's executor-only route (audited as executor `triggers`, run `trigger:<id>`). The
 * host passes the platform's outbound address policy (docs/architecture.md, Security model): a private,
 * loopback or metadata address only when an admin set `allowPrivateNetworks` on the connection. Kafka
 * Connect then reaches the same address (the resolved one, so a DNS answer cannot change in between).
 */
@Injectable()
export class CatalogCdcResolver implements CdcConnectionResolver {
  constructor(private readonly catalog: CatalogConnectionClient) {}

  async resolve(name: string, triggerId = 'cdc'): Promise<CdcConnection> {
    const c = await this.catalog.connection(name, triggerId);
    if (c.type !== 'postgres' && c.type !== 'mysql') {
      throw new ValidationProblem([
        { field: 'config.connection', message: `connection "${name}" is a ${c.type} connection; cdc reads postgres or mysql (MariaDB) connections` },
      ]);
    }
    const cfg = c.config;
    const host = typeof cfg.host === 'string' ? cfg.host : '';
    let address: string;
    try {
      address = (await resolvePublicTarget(host, cfg.allowPrivateNetworks === true)).address;
    } catch (err) {
      if (err instanceof ForbiddenAddressError) {
        throw new ValidationProblem([
          { field: 'config.connection', message: `connection "${name}": ${err.message} (an admin may set allowPrivateNetworks on the connection)` },
        ]);
      }
      throw err;
    }
    return {
      type: c.type,
      host: address,
      port: typeof cfg.port === 'number' ? cfg.port : DEFAULT_PORT[c.type],
      ...(typeof cfg.database === 'string' ? { database: cfg.database } : {}),
      user: typeof cfg.user === 'string' ? cfg.user : '',
      ...(typeof cfg.password === 'string' ? { password: cfg.password } : {}),
    };
  }
}
