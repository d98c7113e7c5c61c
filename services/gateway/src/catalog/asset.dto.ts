import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { INT32_MAX } from '@flowforge/service-kit';
import { PageQueryDto } from './page-query.dto';

export const LAYERS = ['bronze', 'silver', 'gold'] as const;
const LAKE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const LAKE_NAME_MESSAGE = 'must be 1-63 lower-case letters, digits or "_", starting with a letter';

export class ListAssetsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LAYERS })
  @IsOptional()
  @IsIn(LAYERS, { message: 'layer must be one of "bronze", "silver", "gold"' })
  layer?: string;

  @ApiPropertyOptional({ example: 'sales' })
  @IsOptional()
  @Matches(LAKE_NAME, { message: `namespace ${LAKE_NAME_MESSAGE}` })
  namespace?: string;

  @ApiPropertyOptional({ example: 'orders' })
  @IsOptional()
  @Matches(LAKE_NAME, { message: `table ${LAKE_NAME_MESSAGE}` })
  table?: string;

}

export class PreviewQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Snapshot to read (time travel); default: the current one' })
  @IsOptional()
  @IsUUID('all', { message: 'snapshot must be a UUID' })
  snapshot?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer between 1 and 10000' })
  @Min(1, { message: 'limit must be an integer between 1 and 10000' })
  @Max(10_000, { message: 'limit must be an integer between 1 and 10000' })
  limit?: number;
}

export class DownloadQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Snapshot to export; default: the current one' })
  @IsOptional()
  @IsUUID('all', { message: 'snapshot must be a UUID' })
  snapshot?: string;

  @ApiPropertyOptional({ enum: ['csv', 'parquet'], default: 'csv' })
  @IsOptional()
  @IsIn(['csv', 'parquet'], { message: 'format must be one of "csv", "parquet"' })
  format?: string;
}

export class RetentionDto {
  @ApiPropertyOptional({ nullable: true, minimum: 1, maximum: INT32_MAX, description: 'Keep the last N snapshots (null clears the rule)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  keepLast?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Keep snapshots younger than this (null clears the rule)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  maxAgeSeconds?: number | null;
}

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
  @ApiProperty({ enum: LAYERS }) layer!: string;
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
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'BIGINT and DECIMAL values as strings' }) rows!: Record<string, unknown>[];
}

export class RetentionReportDto {
  @ApiProperty({ format: 'uuid' }) assetId!: string;
  @ApiProperty({ type: RetentionPolicyDto }) policy!: RetentionPolicyDto;
  @ApiProperty({ type: [String] }) expiredSnapshotIds!: string[];
  @ApiProperty() keptSnapshots!: number;
  @ApiProperty({ type: [String] }) deletedFiles!: string[];
}

export { ColumnStatsDto };
