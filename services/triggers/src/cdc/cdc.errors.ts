import { FlowForgeError } from '@flowforge/service-kit';

/**
 * The cdc source's errors. Codes: FF_CDC_CONNECT_MISSING (no Kafka Connect URL), FF_CDC_CONNECTION
 * (the catalog connection is not a database CDC can read), FF_CDC_SOURCE_NOT_READY (the database lacks what
 * Debezium needs: binlog, wal_level, replica identity), FF_CDC_CONNECTOR_INVALID (Connect refused the
 * connector's config), FF_CDC_CONNECTOR_FAILED (the connector or its task failed), FF_CDC_CONNECTOR_TIMEOUT,
 * FF_CDC_CONNECT_UNAVAILABLE (Connect's REST API failed). Messages never carry a password.
 */
export class CdcError extends FlowForgeError {
  constructor(code: string, status: number, title: string, detail: string) {
    super(code, status, title, detail);
    this.name = 'CdcError';
  }
}

export const cdcConnectMissing = (): CdcError =>
  new CdcError(
    'FF_CDC_CONNECT_MISSING',
    503,
    'CDC needs Kafka Connect',
    'CDC triggers need Kafka Connect with the Debezium connectors, and none is configured: set FLOWFORGE_KAFKA_CONNECT_URL ' +
      '(e.g. http://127.0.0.1:8083; scripts/stack/stack up starts one). The embedded mode without the stack has no CDC.',
  );

export const cdcConnectionUnusable = (detail: string): CdcError => new CdcError('FF_CDC_CONNECTION', 400, 'Connection cannot be used for CDC', detail);

export const cdcSourceNotReady = (detail: string): CdcError => new CdcError('FF_CDC_SOURCE_NOT_READY', 409, 'Database not ready for CDC', detail);

export const cdcConnectorInvalid = (detail: string): CdcError => new CdcError('FF_CDC_CONNECTOR_INVALID', 400, 'CDC connector refused', detail);

export const cdcConnectorFailed = (detail: string): CdcError => new CdcError('FF_CDC_CONNECTOR_FAILED', 502, 'CDC connector failed', detail);

export const cdcConnectorTimeout = (detail: string): CdcError => new CdcError('FF_CDC_CONNECTOR_TIMEOUT', 504, 'CDC connector not ready', detail);

export const cdcConnectUnavailable = (detail: string): CdcError => new CdcError('FF_CDC_CONNECT_UNAVAILABLE', 502, 'Kafka Connect failed', detail);
