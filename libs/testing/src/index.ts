export * from './test-database';
export * from './stack.discovery';
export * from './private-kafka';
export * from './sse.reader';
export * from './keycloak/keycloak-login';
export * from './smtp/test-smtp-server';
export * from './test-admin';
export * from './file-servers';
