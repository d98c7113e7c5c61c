import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'spec.steps[1].dependsOn[0]' }) field!: string;
  @ApiProperty({ example: 'line 12, column 9: step "load": depends on unknown step "extrct"' }) message!: string;
}

/** RFC 9457 problem details as the orchestration routes answer them (relayed from the orchestrator). */
export class OrchestrationProblemDto {
  @ApiProperty({ example: 'https://flowforge.dev/problems/workflow-invalid' }) type!: string;
  @ApiProperty({ example: 'Workflow is invalid' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'line 12, column 9: step "load": depends on unknown step "extrct" (did you mean "extract"?)' }) detail!: string;
  @ApiProperty({ example: '/api/v1/workflows/apply' }) instance!: string;
  @ApiProperty({ example: 'FF_WORKFLOW_INVALID', description: 'Stable error code' }) code!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}
