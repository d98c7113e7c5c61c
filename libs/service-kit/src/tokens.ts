/** Injection tokens shared by the kit and the service modules. */
export const LOGGER = Symbol.for('flowforge.logger');
export const HOST_RUNTIME = Symbol.for('flowforge.host-runtime');
export const COMMON_CONFIG = Symbol.for('flowforge.common-config');
export const EVENT_BUS = Symbol.for('flowforge.event-bus');

/** A service's own (extension) config object. */
export const serviceConfigToken = (service: string): string => `flowforge.config.${service}`;
/** A service's TypeORM DataSource on schema ff_<service>. */
export const dataSourceToken = (service: string): string => `flowforge.data-source.${service}`;
/**
 * The `pg` Pool under that DataSource (the service's only pool): transactions of its stores, raw SQL,
 * and what the DataSource itself runs all draw from it (docs/architecture.md, Connections).
 */
export const servicePoolToken = (service: string): string => `flowforge.service-pool.${service}`;
