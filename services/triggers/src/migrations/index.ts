import { CreateTriggersSchema1764201600000 } from './1764201600000-create-triggers-schema';
import { Chaining1767200000000 } from './1767200000000-chaining';
import { TriggersAndFirings1767225600000 } from './1767225600000-triggers-and-firings';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const triggersMigrations = [CreateTriggersSchema1764201600000, Chaining1767200000000, TriggersAndFirings1767225600000];
