import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
  @ApiProperty({ enum: ['Job', 'Workflow', 'Schedule', 'Trigger'] }) kind!: 'Job' | 'Workflow' | 'Schedule' | 'Trigger';
  @ApiProperty({ example: 'daily-sales' }) name!: string;
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ enum: ['created', 'updated', 'unchanged'], description: 'unchanged: the document equals the latest version; no version was created' })
  status!: 'created' | 'updated' | 'unchanged';
  @ApiPropertyOptional({ description: 'A webhook trigger applied without a secret: the one the triggers service generated, answered this once' })
  secret?: string;
}

export class ApplyResultDto {
  @ApiProperty({ type: [AppliedDocumentDto] }) documents!: AppliedDocumentDto[];
}
