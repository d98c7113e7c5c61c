import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsInt, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';
import { INT32_MAX } from '@flowforge/service-kit';

const STEP_EXAMPLE = { id: 'load', job: 'load-sales', dependsOn: ['extract'], condition: 'on_success', retry: { maxAttempts: 3 }, params: { day: '${params.run_date}' } };

/**
 * Body of PUT /api/v1/workflows/{name}: the workflow spec as JSON (the same fields as the YAML
 * document's metadata and spec). Steps, parameters and concurrency are validated by the workflow
 * model, which names each wrong field.
 */
export class SaveWorkflowDto {
  @ApiPropertyOptional({ description: 'Must equal the name in the URL when given' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  description?: string;

  @ApiPropertyOptional({ type: [String], example: ['sales', 'daily'] })
  @IsOptional()
  @IsArray()
  tags?: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, example: [{ name: 'run_date', type: 'date', required: true }] })
  @IsOptional()
  @IsArray()
  parameters?: Record<string, unknown>[];

  @ApiProperty({ type: 'array', items: { type: 'object' }, example: [STEP_EXAMPLE] })
  @IsArray()
  steps!: Record<string, unknown>[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { maxRuns: 1, overlap: 'queue' }, description: 'overlap: allow | skip | queue | cancel_running' })
  @IsOptional()
  @IsObject()
  concurrency?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 7_200_000, maximum: INT32_MAX, description: 'Run timeout in ms' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  timeoutMs?: number;
}

export class WorkflowDto {
  @ApiProperty({ example: 'daily-sales' }) name!: string;
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The normalised spec (defaults filled)' }) spec!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class WorkflowListDto {
  @ApiProperty({ type: [WorkflowDto] }) items!: WorkflowDto[];
}

export class SavedWorkflowDto {
  @ApiProperty({ enum: ['created', 'updated', 'unchanged'] }) status!: 'created' | 'updated' | 'unchanged';
  @ApiProperty({ type: WorkflowDto }) workflow!: WorkflowDto;
}

export class AppliedDocumentDto {
  @ApiProperty({ enum: ['Job', 'Workflow'] }) kind!: 'Job' | 'Workflow';
  @ApiProperty({ example: 'daily-sales' }) name!: string;
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ enum: ['created', 'updated', 'unchanged'], description: 'unchanged: the document equals the latest version; no version was created' })
  status!: 'created' | 'updated' | 'unchanged';
}

export class ApplyResultDto {
  @ApiProperty({ type: [AppliedDocumentDto] }) documents!: AppliedDocumentDto[];
}

export class ExportQueryDto {
  @ApiPropertyOptional({ description: 'Only this workflow and the jobs it uses' })
  @IsOptional()
  @IsString()
  workflow?: string;
}
