// The HTTP API shared by the gateway and the services (docs/conventions.md, Errors): path parameter pipes,
// pagination, the problem+json schema of the OpenAPI document, the zod → OpenAPI bridge, and the request
// schemas each service validates with and the gateway describes with.
export * from './params/uuid-param.pipe';
export * from './params/int-param.pipe';
export * from './params/page.query';
export * from './openapi/problem.dto';
export * from './openapi/zod-openapi';
export * from './catalog/connection.requests';
export * from './catalog/asset.requests';
export * from './auth/auth.requests';
export * from './orchestrator/run.requests';
export * from './orchestrator/definition.requests';
export * from './triggers/trigger.requests';
export * from './scheduler/schedule.requests';
export * from './transformation/transform.requests';
