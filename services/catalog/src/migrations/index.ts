import { CreateCatalogSchema1764201600000 } from './1764201600000-create-catalog-schema';
import { ConnectionsAndAssets1766016000000 } from './1766016000000-connections-and-assets';
import { SoftDeleteAssets1766188800000 } from './1766188800000-soft-delete-assets';
import { FileConnectionTypes1766966400000 } from './1766966400000-file-connection-types';
import { SnapshotInputs1767830400000 } from './1767830400000-snapshot-inputs';
import { WarehouseConnectionTypes1768003200000 } from './1768003200000-warehouse-connection-types';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const catalogMigrations = [
  CreateCatalogSchema1764201600000,
  ConnectionsAndAssets1766016000000,
  SoftDeleteAssets1766188800000,
  FileConnectionTypes1766966400000,
  SnapshotInputs1767830400000,
  WarehouseConnectionTypes1768003200000,
];
