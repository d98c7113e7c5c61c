import { ApiExtraModels, ApiProperty } from '@nestjs/swagger';
import { AssetLayerSymbols } from '@flowforge/contracts';

// What the assets routes answer; what they accept is described from the catalog's own schemas
// (libs/http/src/catalog/asset.requests.ts).

class ColumnDto {
  @ApiProperty({ example: 'amount' }) name!: string;
  @ApiProperty({ example: 'DECIMAL(10,2)', description: 'DuckDB type' }) type!: string;
  @ApiProperty() nullable!: boolean;
}

class ColumnStatsDto {
  @ApiProperty({ nullable: true, oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }) min!: unknown;
  @ApiProperty({ nullable: true, oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }) max!: unknown;
  @ApiProperty() nullCount!: number;
}

// `stats` refers to ColumnStatsDto by name only: listed so that the document defines it.
@ApiExtraModels(ColumnStatsDto)
class SnapshotSourceFileDto {
  @ApiProperty({ description: 'Catalog connection the file was read through' }) connection!: string;
  @ApiProperty({ description: "Path relative to the connection's root" }) path!: string;
  @ApiProperty({ nullable: true, type: Number }) size!: number | null;
  @ApiProperty({ nullable: true, type: String }) etag!: string | null;
}

class SnapshotSourceDto {
  @ApiProperty({ format: 'uuid' }) assetId!: string;
  @ApiProperty({ format: 'uuid' }) snapshotId!: string;
  @ApiProperty({ enum: AssetLayerSymbols }) layer!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() table!: string;
}

export class SnapshotDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) assetId!: string;
  @ApiProperty({ description: '1, 2, 3… per asset' }) sequence!: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentSnapshotId!: string | null;
  @ApiProperty({ enum: ['overwrite', 'append'] }) operation!: string;
  @ApiProperty() rowCount!: number;
  @ApiProperty() fileCount!: number;
  @ApiProperty() totalBytes!: number;
  @ApiProperty() schemaVersion!: number;
  @ApiProperty({ type: [ColumnDto] }) schema!: ColumnDto[];
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ColumnStatsDto' }, description: 'Per column, computed by DuckDB' })
  stats!: Record<string, ColumnStatsDto>;
  @ApiProperty({ nullable: true, type: String, description: 'Run that produced it' }) runId!: string | null;
  @ApiProperty({ format: 'date-time' }) committedAt!: string;
  @ApiProperty({ type: [SnapshotSourceFileDto], description: 'Source files read to make it (ingestion)' }) inputs!: SnapshotSourceFileDto[];
  @ApiProperty({ type: [SnapshotSourceDto], description: 'Lake snapshots read to compute it (transformation): with inputs, what reproduces it' })
  sourceSnapshots!: SnapshotSourceDto[];
}

class SnapshotFileDto {
  @ApiProperty({ example: 'silver/sales/orders/data/3f1c…/part-0.parquet' }) path!: string;
  @ApiProperty() rows!: number;
  @ApiProperty() bytes!: number;
}

export class SnapshotDetailDto extends SnapshotDto {
  @ApiProperty({ type: [SnapshotFileDto] }) files!: SnapshotFileDto[];
}

class RetentionPolicyDto {
  @ApiProperty({ nullable: true, type: Number }) keepLast!: number | null;
  @ApiProperty({ nullable: true, type: Number }) maxAgeSeconds!: number | null;
}

export class AssetDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: AssetLayerSymbols }) layer!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() table!: string;
  @ApiProperty({ type: SnapshotDto, nullable: true }) currentSnapshot!: SnapshotDto | null;
  @ApiProperty({ type: RetentionPolicyDto }) retention!: RetentionPolicyDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

class SchemaChangeDto {
  @ApiProperty({ type: [String] }) added!: string[];
  @ApiProperty({ type: [String] }) removed!: string[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', properties: { name: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, required: ['name', 'from', 'to'] },
    example: [{ name: 'amount', from: 'INTEGER', to: 'DECIMAL(10,2)' }],
  })
  changed!: { name: string; from: string; to: string }[];
  @ApiProperty() reordered!: boolean;
}

export class SchemaVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: [ColumnDto] }) schema!: ColumnDto[];
  @ApiProperty({ type: SchemaChangeDto }) changes!: SchemaChangeDto;
  @ApiProperty({ format: 'uuid', description: 'The snapshot whose commit introduced this schema' }) introducedBySnapshotId!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class PreviewDto {
  @ApiProperty({ format: 'uuid' }) assetId!: string;
  @ApiProperty({ format: 'uuid' }) snapshotId!: string;
  @ApiProperty() sequence!: number;
  @ApiProperty() limit!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string', description: 'DuckDB type' } }, required: ['name', 'type'] },
    example: [{ name: 'id', type: 'BIGINT' }],
  })
  columns!: { name: string; type: string }[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'BIGINT and DECIMAL values as strings' }) rows!: Record<
    string,
    unknown
  >[];
}

export class RetentionReportDto {
  @ApiProperty({ format: 'uuid' }) assetId!: string;
  @ApiProperty({ type: RetentionPolicyDto }) policy!: RetentionPolicyDto;
  @ApiProperty({ type: [String] }) expiredSnapshotIds!: string[];
  @ApiProperty() keptSnapshots!: number;
  @ApiProperty({ type: [String] }) deletedFiles!: string[];
}

export { ColumnStatsDto };
