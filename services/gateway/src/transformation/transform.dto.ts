import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ResultColumnDto {
  @ApiProperty({ example: 'amount' }) name!: string;
  @ApiProperty({ example: 'DECIMAL(18,2)' }) type!: string;
}

class InputSnapshotDto {
  @ApiProperty({ example: 'silver.sales.orders' }) table!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The snapshot read; null when the table does not exist yet' }) snapshot!:
    string | null;
}

export class TransformPreviewDto {
  @ApiProperty({ type: [ResultColumnDto], description: 'The output schema' }) columns!: ResultColumnDto[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'The first rows (BIGINT and DECIMAL as strings)' })
  rows!: Record<string, unknown>[];
  @ApiProperty({ description: 'Rows the job would write' }) rowCount!: number;
  @ApiProperty({ description: 'Rows a cast would set aside to <table>__rejects' }) rejectedCount!: number;
  @ApiProperty({ type: [InputSnapshotDto] }) inputs!: InputSnapshotDto[];
  @ApiProperty({ description: 'The compiled SQL (one DuckDB statement)' }) sql!: string;
}

export class ExpressionTestDto {
  @ApiProperty({ example: 'DECIMAL(18,2)', description: 'The type of the expression' }) type!: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'The sample rows with the value as `result`' })
  rows!: Record<string, unknown>[];
}

export class FilterPreviewDto {
  @ApiProperty() kept!: number;
  @ApiProperty() dropped!: number;
  @ApiProperty({ description: 'The condition as SQL' }) sql!: string;
}

export class SqlResultDto {
  @ApiProperty({ type: [ResultColumnDto] }) columns!: ResultColumnDto[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) rows!: Record<string, unknown>[];
  @ApiProperty({ description: 'More rows exist than `limit`' }) truncated!: boolean;
  @ApiProperty({ type: [InputSnapshotDto], description: 'The tables read, each at its current snapshot' }) inputs!: InputSnapshotDto[];
}

class SqlProblemDto {
  @ApiProperty({ example: 'sql' }) field!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: '0-based offset in the SQL text' }) position?: number;
}

export class SqlValidationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ type: [SqlProblemDto] }) problems!: SqlProblemDto[];
  @ApiProperty({ type: [ResultColumnDto], description: 'Schema of the result (when valid)' }) columns!: ResultColumnDto[];
  @ApiProperty({ type: [String], description: 'Lake tables the query reads', example: ['silver.sales.orders'] }) tables!: string[];
  @ApiProperty({ type: [String], description: 'Named parameters the query uses', example: ['since'] }) params!: string[];
}

export class SqlDryRunDto {
  @ApiProperty({ description: "DuckDB's plan (EXPLAIN)" }) plan!: string;
  @ApiProperty({ type: [ResultColumnDto] }) columns!: ResultColumnDto[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) rows!: Record<string, unknown>[];
}

class SqlParamDto {
  @ApiProperty({ enum: ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'] }) type!: string;
  @ApiPropertyOptional({ description: 'Used when no value is given' }) default?: unknown;
}

export class SqlTemplateDto {
  @ApiProperty({ example: 'orders-since' }) name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 'SELECT * FROM silver.sales.orders WHERE ordered_at >= :since' }) sql!: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/SqlParamDto' } }) params!: Record<string, SqlParamDto>;
  @ApiProperty() version!: number;
  @ApiProperty({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) updatedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export { SqlParamDto };

export class AsOfDto {
  @ApiProperty({ format: 'uuid' }) assetId!: string;
  @ApiProperty({ format: 'uuid' }) snapshotId!: string;
  @ApiProperty({ format: 'date-time' }) ts!: string;
  @ApiProperty({ type: [ResultColumnDto] }) columns!: ResultColumnDto[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'The versions valid at ts' }) rows!: Record<
    string,
    unknown
  >[];
  @ApiProperty() truncated!: boolean;
}

export class ExportRecordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'redshift:warehouse/analytics.daily_sales' }) destination!: string;
  @ApiProperty({ example: 'gold.sales.daily' }) sourceTable!: string;
  @ApiProperty({ format: 'uuid' }) sourceAssetId!: string;
  @ApiProperty({ format: 'uuid' }) snapshotId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Incremental: the snapshot exported last time' }) sinceSnapshotId!: string | null;
  @ApiProperty({ enum: ['full', 'incremental'] }) mode!: string;
  @ApiProperty() rows!: number;
  @ApiProperty({ enum: ['succeeded', 'failed'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) runId!: string | null;
  @ApiProperty({ nullable: true, type: String }) stepId!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) finishedAt!: string;
}
