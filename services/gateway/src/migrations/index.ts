import { CreateGatewaySchema1764201600000 } from './1764201600000-create-gateway-schema';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const gatewayMigrations = [CreateGatewaySchema1764201600000];
