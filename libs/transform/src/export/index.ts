// Exports of lake tables to files and warehouses (libs/transform/README.md, "Exports").
import { BigQueryDestination } from './bigquery';
import type { ExportDestination } from './destination';
import type { WarehouseKind } from './export-config';
import { RedshiftDestination } from './redshift';
import { SnowflakeDestination } from './snowflake';
import { SynapseDestination } from './synapse';

export * from './export-config';
export * from './dialects';
export * from './destination';
export * from './files';
export * from './rows';
export * from './incremental';
export * from './redshift';
export * from './synapse';
export * from './snowflake';
export * from './bigquery';

/** The destination of `kind` with its real client (the service's entry point; tests construct their own with a test double). */
export function exportDestination(kind: WarehouseKind): ExportDestination {
  switch (kind) {
    case 'redshift':
      return new RedshiftDestination() as ExportDestination;
    case 'synapse':
      return new SynapseDestination() as ExportDestination;
    case 'snowflake':
      return new SnowflakeDestination() as ExportDestination;
    case 'bigquery':
      return new BigQueryDestination() as ExportDestination;
  }
}
