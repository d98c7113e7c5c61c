import { CreateAlertingSchema1764201600000 } from './1764201600000-create-alerting-schema';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const alertingMigrations = [CreateAlertingSchema1764201600000];
