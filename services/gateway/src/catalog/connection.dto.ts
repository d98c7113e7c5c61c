import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from './page-query.dto';

/** Mirrors the catalog's list; the catalog validates each type's config in depth (400 naming `config.<field>`). */
export const CONNECTION_TYPES = ['postgres', 'mysql', 's3', 'local', 'sftp', 'http', 'kafka'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$/;
const CONFIG_DOC =
  'Type-specific settings. Secret fields (postgres/mysql/sftp `password`, sftp `privateKey`/`passphrase`, s3 `secretAccessKey`, ' +
  'http `headers`/`token`, kafka `sasl.password`) are write-only: responses show `{ "set": true|false }` instead. ' +
  'Every type with a host (postgres, mysql, s3 `endpoint`, sftp, http, kafka) refuses loopback, private, link-local and cloud-metadata ' +
  'addresses unless `allowPrivateNetworks: true`, which only settings:configure-system may set (else 403 naming `config.allowPrivateNetworks`). ' +
  'A local `path` must lie in the configured roots (default `<FLOWFORGE_HOME>/landing`), symlinks resolved; else 400 naming `config.path`.';

export class CreateConnectionDto {
  @ApiProperty({ example: 'warehouse', description: '1-128 letters, digits, spaces, "_", "." or "-"; unique' })
  @IsString()
  @Matches(NAME, { message: 'name must be 1-128 letters, digits, spaces, "_", "." or "-", starting with a letter or digit' })
  name!: string;

  @ApiProperty({ enum: CONNECTION_TYPES })
  @IsIn(CONNECTION_TYPES, { message: `type must be one of ${CONNECTION_TYPES.map((t) => `"${t}"`).join(', ')}` })
  type!: (typeof CONNECTION_TYPES)[number];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: CONFIG_DOC, example: { host: 'db', port: 5432, database: 'dwh', user: 'etl', password: 's3cret' } })
  @IsObject({ message: 'config must be an object' })
  config!: Record<string, unknown>;
}

export class UpdateConnectionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: 'name must be 1-128 letters, digits, spaces, "_", "." or "-", starting with a letter or digit' })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `JSON merge patch of the config (null removes a field). ${CONFIG_DOC} Sending \`{ "set": true }\` back keeps a stored secret, \`{ "set": false }\` clears it.`,
  })
  @IsOptional()
  @IsObject({ message: 'config must be an object' })
  config?: Record<string, unknown>;
}

export class ListConnectionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CONNECTION_TYPES })
  @IsOptional()
  @IsIn(CONNECTION_TYPES, { message: `type must be one of ${CONNECTION_TYPES.map((t) => `"${t}"`).join(', ')}` })
  type?: string;

}

export class ConnectionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CONNECTION_TYPES }) type!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The config with `{ "set": boolean }` in place of every secret field', example: { host: 'db', port: 5432, password: { set: true } } })
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
