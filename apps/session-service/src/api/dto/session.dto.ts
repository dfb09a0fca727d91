import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SESSION_FAILURE_REASONS, SESSION_STATUSES, type SessionFlag } from '@app/contracts';
import { ApiDecimal } from './decimal';

const SESSION_FLAGS = [
  'INFERRED_STOP',
  'CLOCK_SKEW',
  'LATE_EVENTS',
  'MISSING_TARIFF',
  'MAX_CHARGING_TIME_REACHED',
  'SEQ_NO_GAP',
] as const satisfies readonly SessionFlag[];
/** Compile error when the contracts gain a flag this list lacks. */
const everyFlag: Record<Exclude<SessionFlag, (typeof SESSION_FLAGS)[number]>, never> = {};
void everyFlag;

/** POST /v1/sessions/start */
export class StartSessionRequest {
  @ApiProperty({ minLength: 1, maxLength: 255, example: 'DE*800*E1234', description: 'EVSE id to start on' })
  evse!: string;
  @ApiPropertyOptional({ type: 'string', maxLength: 255, nullable: true, example: 'driver-7' })
  user_reference?: string | null;
}

export class ChargingStationView {
  @ApiProperty({ example: 'CP-1' })
  id!: string;
  @ApiProperty({ type: 'integer', example: 1 })
  connector_id!: number;
  @ApiProperty({ type: 'string', nullable: true, example: 'Charging', description: 'OCPP connector status' })
  connector_status!: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: 'Charging' })
  charging_state!: string | null;
}

export class TimeTariffView {
  @ApiProperty({ type: 'integer', example: 45 })
  starting_at_minute!: number;
  @ApiDecimal('Net price per minute from that minute on', 0.12)
  minute_price!: number | string;
}

export class TariffView {
  @ApiDecimal('Net price per kWh', 0.88)
  kwh_price!: number | string;
  @ApiDecimal('Net price per session', 0)
  session_price!: number | string;
  @ApiProperty({ type: [TimeTariffView] })
  time_tariffs!: TimeTariffView[];
  @ApiDecimal('VAT rate, 0..1', 0.19)
  vat!: number | string;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217' })
  currency!: string;
  @ApiProperty({ type: 'integer', example: 4320, description: 'Minutes' })
  max_charging_time!: number;
  @ApiPropertyOptional({ example: 'tariff-a' })
  tariff_id?: string;
  @ApiPropertyOptional({ type: 'integer', example: 1 })
  version?: number;
}

export class FinalAmountView {
  @ApiDecimal('Net session fee', 0)
  session!: number | string;
  @ApiDecimal('Net time fee', 0)
  time!: number | string;
  @ApiDecimal('Net energy fee', 0.9046)
  energy!: number | string;
  @ApiDecimal('Net total', 0.9046)
  net!: number | string;
  @ApiDecimal('VAT', 0.1719)
  vat!: number | string;
  @ApiDecimal('Gross total', 1.0765)
  gross!: number | string;
  @ApiProperty({ example: 'EUR' })
  currency!: string;
}

/** A session as pump's fleet API shows it, plus stop_reason and flags. */
export class SessionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['LOCAL', 'REMOTE'] })
  auth_type!: string;
  @ApiProperty({ enum: SESSION_STATUSES })
  status!: string;
  @ApiProperty({ type: 'integer', description: 'Unix seconds' })
  created_at!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Unix seconds' })
  started_at!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Unix seconds; null while open' })
  completed_at!: number | null;
  @ApiProperty({ type: 'integer', description: 'Unix seconds' })
  last_updated_at!: number;
  @ApiProperty({ example: 'DE*800*E1234' })
  evse!: string;
  @ApiProperty({ type: ChargingStationView })
  charging_station!: ChargingStationView;
  @ApiProperty({ type: 'string', nullable: true })
  user_reference!: string | null;
  @ApiProperty({ type: 'number', example: 1.028, description: 'kWh, at most three decimals' })
  energy_in_kwh!: number;
  @ApiProperty({ type: 'number', nullable: true, example: 1.8, description: 'One decimal; null while open' })
  duration_in_minutes!: number | null;
  @ApiProperty({ type: FinalAmountView, nullable: true, description: 'Set once billing priced it' })
  final_amount!: FinalAmountView | null;
  @ApiProperty({ type: TariffView, nullable: true })
  tariff!: TariffView | null;
  @ApiProperty({ type: 'string', nullable: true, example: 'Remote' })
  stop_reason!: string | null;
  @ApiProperty({
    enum: SESSION_FAILURE_REASONS,
    nullable: true,
    example: null,
    description:
      'Why a FAILED session never started (null otherwise): CHARGER_OFFLINE (no gateway holds the charger), ' +
      'CHARGER_REJECTED (RemoteStartTransaction answered Rejected), CONNECTOR_UNAVAILABLE (Rejected while the ' +
      'connector or the charger last reported Unavailable/Faulted), START_TIMEOUT (no answer, or no ' +
      'StartTransaction in time), COMMAND_ERROR (a CALLERROR)',
  })
  failure_reason!: string | null;
  @ApiProperty({ enum: SESSION_FLAGS, isArray: true })
  flags!: string[];
}

export class SessionResponse {
  @ApiProperty({ type: SessionView })
  session!: SessionView;
}

export class SessionListResponse {
  @ApiProperty({ type: [SessionView] })
  sessions!: SessionView[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor!: string | null;
}
