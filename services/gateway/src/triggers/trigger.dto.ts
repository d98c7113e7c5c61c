import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// What the triggers routes answer; what they accept is described from the triggers service's own schemas
// (libs/http/src/triggers/trigger.requests.ts).

export class TriggerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'orders-webhook' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ example: 'load-orders' }) workflow!: string;
  @ApiProperty({ example: 'webhook' }) type!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The type’s settings, defaults filled, with `{ "set": true }` in place of every secret field',
    example: { auth: 'hmac', secret: { set: true }, replayWindowSeconds: 300 },
  })
  config!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { day: '${payload.day}' } }) params!: Record<string, string>;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'Incremented by every edit (the source restarts)' }) version!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Webhook triggers: where deliveries are POSTed', example: '/api/v1/hooks/5b1f…' })
  hookPath!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) updatedBy!: string | null;
}

export class SavedTriggerDto extends TriggerDto {
  @ApiPropertyOptional({ description: 'Only when created with auth hmac and no secret: the generated secret, answered this once' }) secret?: string;
}

export class FiringDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'SHA-256 of the payload (hex)' }) payloadDigest!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Where the event came from, unique per trigger (offset, file versions, signature)' })
  dedupKey!: string | null;
  @ApiProperty() matched!: boolean;
  @ApiProperty({ example: 'field "status" is "draft", wanted "paid"' }) reason!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: { type: 'string' } }) params!: Record<string, string> | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The run requested; null when it did not match' }) runId!: string | null;
}

export class FiringPageDto {
  @ApiProperty({ type: [FiringDto], description: 'Newest first' }) items!: FiringDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class TriggerTestResultDto {
  @ApiProperty() matched!: boolean;
  @ApiProperty({ description: 'Why it matched or not (the failing filter, the missing field)' }) reason!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: { type: 'string' }, description: 'The run parameters it would start with' })
  params!: Record<string, string> | null;
}

export class TriggerTypeDto {
  @ApiProperty({ example: 'kafka' }) type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema of the type’s `config`' }) configSchema!: Record<string, unknown>;
  @ApiProperty({ type: [String], description: 'Config fields stored encrypted and never answered' }) secretFields!: string[];
}

export class HookAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'The run requested (it starts a moment later)' }) runId!: string;
  @ApiProperty({ format: 'uuid' }) firingId!: string;
}

export class NotificationAcceptedDto {
  @ApiProperty({ example: 1, description: 'Object-created records taken' }) objects!: number;
  @ApiProperty({ description: 'The trigger runs in this process and looks now; false: another replica holds it, its next poll finds the objects' })
  polledNow!: boolean;
}
