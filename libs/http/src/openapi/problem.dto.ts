import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@flowforge/service-kit';

@ApiSchema({ name: 'ProblemFieldError' })
class ProblemFieldErrorDto {
  @ApiProperty({ example: 'spec.steps[1].dependsOn[0]' }) field!: string;
  @ApiProperty({ example: 'line 12, column 9: step "load": depends on unknown step "extrct"' }) message!: string;
  @ApiPropertyOptional({ description: "0-based character offset of the problem inside the field's text (an expression, a SQL query)", example: 14 })
  position?: number;
}

/** RFC 9457 problem details plus FlowForge's stable `code`: the body of every 4xx and 5xx answer. */
@ApiSchema({
  name: 'Problem',
  description: 'RFC 9457 problem details (application/problem+json). `code` is stable: match on it, not on `title` or `detail`.',
})
export class ProblemDto {
  @ApiProperty({ format: 'uri', example: 'https://flowforge.dev/problems/validation', description: 'A URI naming the problem type' }) type!: string;
  @ApiProperty({ example: 'Request validation failed' }) title!: string;
  @ApiProperty({ type: 'integer', example: 400, description: 'The HTTP status, repeated' }) status!: number;
  @ApiProperty({ example: 'config.port: must be an integer between 1 and 65535', description: 'What happened, in words a user can act on' }) detail!: string;
  @ApiProperty({ example: '/api/v1/connections', description: 'The path that was called' }) instance!: string;
  @ApiProperty({ example: 'FF_VALIDATION', description: 'Stable error code' }) code!: string;
  @ApiPropertyOptional({ type: [ProblemFieldErrorDto], description: 'Validation problems: one entry per field' }) errors?: ProblemFieldErrorDto[];
}

/** A documented error answer: `application/problem+json` with the shared Problem schema. */
export function ApiProblem(status: number, description: string): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } } });
}
