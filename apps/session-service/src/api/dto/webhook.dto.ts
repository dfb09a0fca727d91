import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES } from '../../application/webhooks';

/** POST /v1/webhooks (no other fields). */
export class CreateWebhookRequest {
  @ApiProperty({ format: 'uri', maxLength: 2048, description: 'https, public address' })
  url!: string;
  @ApiPropertyOptional({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    minItems: 1,
    description: 'Event types to receive; all when absent',
  })
  events?: string[];
}

export class WebhookView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uri' })
  url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, nullable: true, description: 'null: all' })
  events!: string[] | null;
  @ApiProperty({ type: 'integer', description: 'Unix seconds' })
  created_at!: number;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({ description: 'Signing secret (X-Hub-Signature-256); shown only in this answer' })
  secret!: string;
}

export class WebhookResponse {
  @ApiProperty({ type: WebhookView })
  webhook!: WebhookView;
}

export class CreatedWebhookResponse {
  @ApiProperty({ type: CreatedWebhookView })
  webhook!: CreatedWebhookView;
}

export class WebhookListResponse {
  @ApiProperty({ type: [WebhookView] })
  webhooks!: WebhookView[];
}

export class DeliveryAttemptView {
  @ApiProperty({ type: 'integer' })
  attempt!: number;
  @ApiProperty({ type: 'integer', description: 'Unix seconds' })
  at!: number;
  @ApiProperty({ type: 'integer', nullable: true })
  status_code!: number | null;
  @ApiProperty({ type: 'string', nullable: true })
  error!: string | null;
  @ApiProperty({ type: 'integer' })
  duration_ms!: number;
}

export class DeliveryView {
  @ApiProperty()
  id!: string;
  @ApiProperty({ example: 'fleet.charging_session.closed' })
  type!: string;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  session_id!: string | null;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status!: string;
  @ApiProperty({ type: 'integer' })
  attempts!: number;
  @ApiProperty({ type: 'integer', nullable: true })
  last_status_code!: number | null;
  @ApiProperty({ type: 'string', nullable: true })
  last_error!: string | null;
  @ApiProperty({ type: 'integer', description: 'Unix seconds' })
  created_at!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Unix seconds' })
  delivered_at!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Unix seconds; pending only' })
  next_attempt_at!: number | null;
  @ApiProperty({ type: [DeliveryAttemptView] })
  attempt_log!: DeliveryAttemptView[];
}

export class DeliveryResponse {
  @ApiProperty({ type: DeliveryView })
  delivery!: DeliveryView;
}

export class DeliveryListResponse {
  @ApiProperty({ type: [DeliveryView] })
  deliveries!: DeliveryView[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor!: string | null;
}
