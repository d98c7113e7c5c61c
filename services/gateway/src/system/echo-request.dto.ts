import { IsString, Length } from 'class-validator';

export class EchoRequestDto {
  @IsString()
  @Length(1, 1000)
  message!: string;
}
