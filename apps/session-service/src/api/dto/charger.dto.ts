import { ApiProperty } from '@nestjs/swagger';
import type {
  ChargerBootView as BootViewShape,
  ChargerView as ChargerViewShape,
  ConnectorView as ConnectorViewShape,
} from '../../application/charger-view';

/**
 * Response schemas of GET /v1/chargers and /v1/chargers/:id (application/charger-view.ts builds the
 * body; `implements` keeps these in step with it). Times are ISO-8601 UTC.
 */

const TIME = { type: 'string', format: 'date-time', example: '2026-12-01T09:30:00.000Z' } as const;
const NULLABLE_TIME = { ...TIME, nullable: true } as const;
const NULLABLE_TEXT = { type: 'string', nullable: true } as const;

export class ChargerBootView implements BootViewShape {
  @ApiProperty({ example: 'ACME', description: 'chargePointVendor' })
  vendor!: string;
  @ApiProperty({ example: 'Wall-22', description: 'chargePointModel' })
  model!: string;
  @ApiProperty({ ...NULLABLE_TEXT, example: 'SN-0042' })
  charge_point_serial_number!: string | null;
  @ApiProperty(NULLABLE_TEXT)
  charge_box_serial_number!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, example: '1.4.2' })
  firmware_version!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, example: '8949000000000000042' })
  iccid!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, example: '262010000000042' })
  imsi!: string | null;
  @ApiProperty(NULLABLE_TEXT)
  meter_type!: string | null;
  @ApiProperty(NULLABLE_TEXT)
  meter_serial_number!: string | null;
  @ApiProperty({ ...TIME, description: 'When the gateway received the BootNotification' })
  booted_at!: string;
}

export class ChargerConnectorView implements ConnectorViewShape {
  @ApiProperty({ type: 'integer', minimum: 0, example: 1, description: '0: the charger as a whole' })
  connector_id!: number;
  @ApiProperty({ ...NULLABLE_TEXT, example: 'DE*2GO*EMCD1311*1A*2' })
  evse_id!: string | null;
  @ApiProperty({
    ...NULLABLE_TEXT,
    example: 'Charging',
    description: 'OCPP 1.6 ChargePointStatus; null: none reported',
  })
  status!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, example: 'NoError', description: 'OCPP 1.6 ChargePointErrorCode' })
  error_code!: string | null;
  @ApiProperty(NULLABLE_TEXT)
  info!: string | null;
  @ApiProperty(NULLABLE_TEXT)
  vendor_id!: string | null;
  @ApiProperty(NULLABLE_TEXT)
  vendor_error_code!: string | null;
  @ApiProperty({
    ...NULLABLE_TIME,
    description: "When the status began (the charger's timestamp, else received at)",
  })
  since!: string | null;
  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'The session on this connector now',
  })
  session_id!: string | null;
}

export class ChargerNotificationStatusView {
  @ApiProperty({ example: 'Installed' })
  status!: string;
  @ApiProperty({ ...TIME, description: 'When the notification was received' })
  at!: string;
}

export class ChargerView implements ChargerViewShape {
  @ApiProperty({ example: 'CP-0042', description: 'chargePointId' })
  id!: string;
  @ApiProperty({ example: 'acme' })
  fleet!: string;
  @ApiProperty({
    description: 'Registered and not deactivated (a charger seen without a registry entry: true)',
  })
  active!: boolean;
  @ApiProperty({ description: 'A gateway replica holds its WebSocket' })
  online!: boolean;
  @ApiProperty({ ...NULLABLE_TIME, description: 'When online last changed' })
  online_since!: string | null;
  @ApiProperty({ ...NULLABLE_TIME, description: 'The last CALL received from the charger' })
  last_message_at!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, example: 'ocpp-gateway-7d9f-abcde', description: 'null when offline' })
  gateway_id!: string | null;
  @ApiProperty({ enum: ['ocpp1.6', 'ocpp2.0.1'] })
  protocol!: string;
  @ApiProperty({ type: ChargerBootView, nullable: true, description: 'The last BootNotification' })
  boot!: ChargerBootView | null;
  @ApiProperty({ type: [ChargerConnectorView] })
  connectors!: ChargerConnectorView[];
  @ApiProperty({
    type: ChargerNotificationStatusView,
    nullable: true,
    description: 'FirmwareStatusNotification',
  })
  firmware!: ChargerNotificationStatusView | null;
  @ApiProperty({
    type: ChargerNotificationStatusView,
    nullable: true,
    description: 'DiagnosticsStatusNotification',
  })
  diagnostics!: ChargerNotificationStatusView | null;
  @ApiProperty({ ...TIME, description: 'Registered at (else first seen)' })
  created_at!: string;
  @ApiProperty({ ...TIME, description: 'The last change of its registry entry or of its status' })
  updated_at!: string;
}

export class ChargerListResponse {
  @ApiProperty({ type: [ChargerView] })
  chargers!: ChargerView[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass as cursor for the next page; null: last page',
  })
  next_cursor!: string | null;
}
