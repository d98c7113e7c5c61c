import { Injectable, type INestApplication, type Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { FlowForgeError } from '@flowforge/service-kit';
import { buildOpenApiDocument } from './openapi.document';

/**
 * The document served at /api/openapi.json. It is built from the running application (the gateway's
 * definition hands it over once Nest has created it) on first request, then kept: routes do not change
 * while the process runs.
 */
@Injectable()
export class GatewayApiDocument {
  private source?: { app: INestApplication; modules: Type<unknown>[] };
  private built?: OpenAPIObject;

  attach(app: INestApplication, modules: Type<unknown>[]): void {
    this.source = { app, modules };
    this.built = undefined;
  }

  get(): OpenAPIObject {
    if (!this.built) {
      if (!this.source) {
        throw new FlowForgeError(
          'FF_OPENAPI_UNAVAILABLE',
          503,
          'Service unavailable',
          'the API document is not available: the host did not attach the application',
        );
      }
      this.built = buildOpenApiDocument(this.source.app, this.source.modules);
    }
    return this.built;
  }
}
