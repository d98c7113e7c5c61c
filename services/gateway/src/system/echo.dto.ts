import { ApiProperty } from '@nestjs/swagger';

export class EchoAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Poll GET /api/v1/system/echo/{id} with it' }) id!: string;
}

export class EchoViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'hello' }) message!: string;
  @ApiProperty({ enum: [true] }) handled!: true;
  @ApiProperty({ description: 'How many times the orchestrator handled the event (1: delivered once)' }) handledCount!: number;
}
