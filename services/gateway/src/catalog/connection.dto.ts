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
