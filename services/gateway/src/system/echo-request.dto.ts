import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class EchoRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 1000, example: 'hello' })
  @IsString()
  @Length(1, 1000)
  message!: string;
}

export class EchoAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Poll GET /api/v1/system/echo/{id} with it' }) id!: string;
}

export class EchoViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'hello' }) message!: string;
  @ApiProperty({ enum: [true] }) handled!: true;
  @ApiProperty({ description: 'How many times the orchestrator handled the event (1: delivered once)' }) handledCount!: number;
}
