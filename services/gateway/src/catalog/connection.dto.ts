import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONNECTION_TYPES } from '@flowforge/http';

// What the connections routes answer; what they accept is described from the catalog's own schemas
// (libs/http/src/catalog/connection.requests.ts).

export class ConnectionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CONNECTION_TYPES }) type!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The config with `{ "set": boolean }` in place of every secret field',
    example: { host: 'db', port: 5432, password: { set: true } },
  })
  config!: Record<string, unknown>;
  @ApiProperty({ type: [String], description: 'Dot paths of this type’s secret fields', example: ['password'] }) secretFields!: string[];
  @ApiProperty({ description: 'Incremented by every update' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ConnectionTestResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Round trip of the probe' }) latencyMs!: number;
  @ApiProperty({ example: 'PostgreSQL at db:5432 refused the password for user "etl"' }) message!: string;
  @ApiPropertyOptional({ description: 'Failure code', example: 'FF_CONN_AUTH' }) code?: string;
}

export class FileEntryDto {
  @ApiProperty({ description: "Relative to the connection's root, `/`-separated", example: 'in/2024/orders.csv' }) path!: string;
  @ApiProperty({ example: 'orders.csv' }) name!: string;
  @ApiProperty({ enum: ['file', 'dir'] }) kind!: 'file' | 'dir';
  @ApiProperty({ nullable: true, type: Number, description: 'Bytes; null for folders or when the store does not say' }) size!: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) modifiedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'ETag or checksum when the store has one' }) etag!: string | null;
}

export class ConnectionBrowseDto {
  @ApiProperty({ description: 'The folder listed, normalised (empty = the root)', example: 'in/2024' }) path!: string;
  @ApiProperty({ type: [FileEntryDto], description: 'Folders and files directly in it, sorted by name (object stores show key prefixes as folders)' })
  entries!: FileEntryDto[];
  @ApiProperty({ description: 'More than 1000 entries: only the first are listed' }) truncated!: boolean;
}
