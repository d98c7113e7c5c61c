import { ApiProperty } from '@nestjs/swagger';

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
