import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';

/** Body of PUT /api/v1/jobs/{name}; the config is validated against the JSON Schema of its type. */
export class SaveJobDto {
  @ApiPropertyOptional({ description: 'Must equal the name in the URL when given', example: 'extract-orders' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiProperty({ description: 'A job type an executor announced (GET /api/v1/job-types)', example: 'sleep' })
  @IsString()
  @Length(1, 200)
  type!: string;

  @ApiPropertyOptional({ example: 'Orders of one day into bronze' })
  @IsOptional()
  @IsString()
  description?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Validated against the type\'s configSchema', example: { ms: 1000 } })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

export class JobDto {
  @ApiProperty({ example: 'extract-orders' }) name!: string;
  @ApiProperty({ example: 3, description: 'Versions are immutable; an edit creates the next one' }) version!: number;
  @ApiProperty({ example: 'ingest.jdbc' }) type!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class JobListDto {
  @ApiProperty({ type: [JobDto] }) items!: JobDto[];
}

export class SavedJobDto {
  @ApiProperty({ enum: ['created', 'updated', 'unchanged'] }) status!: 'created' | 'updated' | 'unchanged';
  @ApiProperty({ type: JobDto }) job!: JobDto;
}

export class JobTypeDto {
  @ApiProperty({ example: 'sleep' }) type!: string;
  @ApiProperty({ example: 'builtin', description: 'The executor whose topic runs it' }) executor!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema (2020-12) of the job config' }) configSchema!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
}

export class JobTypeListDto {
  @ApiProperty({ type: [JobTypeDto] }) items!: JobTypeDto[];
}
