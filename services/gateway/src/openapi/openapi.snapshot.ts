import { Writable } from 'node:stream';
import { createHostApp, createLogger, loadHostConfig } from '@flowforge/service-kit';
import { gatewayService } from '../gateway.definition';
import { GATEWAY_API_MODULES } from '../gateway.module';
import { buildOpenApiDocument, formatOpenApiDocument } from './openapi.document';

/** Where the committed document lives, relative to the repository root. */
export const OPENAPI_SNAPSHOT_PATH = 'services/gateway/openapi.json';

/**
 * The text of services/gateway/openapi.json, generated like /api/openapi.json but from a preview
 * application (the module graph without providers): no database, no bus, no network. The environment is
 * ignored so the document does not depend on the machine generating it.
 */
export async function renderOpenApiSnapshot(): Promise<string> {
  const config = loadHostConfig({ host: 'gateway', services: [gatewayService], env: {} });
  const logger = createLogger({ service: 'gateway', level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const app = await createHostApp({ mode: 'standalone', host: 'gateway', services: [gatewayService], config, logger, preview: true });
  try {
    return formatOpenApiDocument(buildOpenApiDocument(app, GATEWAY_API_MODULES));
  } finally {
    await app.close();
  }
}
