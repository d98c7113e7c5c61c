// `@flowforge/contracts/http-api`: the public REST API's types, generated from services/gateway/openapi.json
// by scripts/api-types-gen.js. Its own entry point, apart from `@flowforge/contracts`, because it is
// types only and imports nothing: a browser client can take it without the Avro codec and the registries.
export type * from './generated/http-api';
