import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The request and response bodies of billing's routes, for the OpenAPI document only: bodies are
 * validated by the use cases (readBodyObject, readTariffPrices...) and the answers are the use
 * cases' own objects. Money is a decimal string in responses; in requests a decimal string or a
 * JSON number (read from its text, never through a float).
 */
const DECIMAL_IN = {
  oneOf: [
    { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' },
    { type: 'number', description: 'read from its JSON text, exactly' },
  ],
};
const decimalIn = (description: string, example: string) =>
  ApiProperty({ ...DECIMAL_IN, description, example } as never);
const decimalOut = (description: string, example: string) =>
  ApiProperty({ type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$', description, example });
const SCOPES = ['FLEET', 'CHARGE_POINT', 'EVSE'];
const TIMESTAMP = { type: 'string', format: 'date-time' } as const;

export class ActorDto {
  @ApiProperty({ enum: ['api_key', 'jwt', 'system', 'cli'] })
  kind!: string;
  @ApiProperty({ description: 'The API key id, token subject, or CLI user' })
  id!: string;
}

export class TimeTariffInput {
  @ApiProperty({ type: 'integer', minimum: 0, example: 45 })
  starting_at_minute!: number;
  @decimalIn('Net price per minute from that minute on', '0.12')
  minute_price!: string | number;
}

/** The prices of a tariff version as a client writes them. */
export class TariffPricesInput {
  @decimalIn('Net price per kWh', '0.88')
  kwh_price!: string | number;
  @ApiPropertyOptional({
    ...DECIMAL_IN,
    description: 'Net price per session (default 0)',
    example: '0',
  } as never)
  session_price?: string | number;
  @ApiPropertyOptional({ type: [TimeTariffInput], description: 'Per-minute prices by starting minute' })
  time_tariffs?: TimeTariffInput[];
  @decimalIn('VAT rate, 0..1', '0.19')
  vat!: string | number;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217' })
  currency!: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 4320, description: 'Minutes' })
  max_charging_time?: number;
}

export class AssignmentDto {
  @ApiProperty({ enum: SCOPES })
  scope!: string;
  @ApiProperty({ description: 'The fleet id, charge point id or EVSE id', example: 'CP1' })
  ref!: string;
}

/** POST /v1/tariffs */
export class CreateTariffRequest {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Standard AC' })
  name!: string;
  @ApiPropertyOptional({ ...TIMESTAMP, description: 'With offset; default now' })
  effective_from?: string;
  @ApiProperty({ type: TariffPricesInput })
  tariff!: TariffPricesInput;
  @ApiPropertyOptional({ type: [AssignmentDto], description: 'Moved here from any tariff they were on' })
  assignments?: AssignmentDto[];
}

/** POST /v1/tariffs/:id/versions */
export class AddTariffVersionRequest {
  @ApiProperty({ ...TIMESTAMP, description: 'With offset; after the latest version' })
  effective_from!: string;
  @ApiProperty({ type: TariffPricesInput })
  tariff!: TariffPricesInput;
}

/** PUT /v1/tariff-assignments/:scope/:ref */
export class AssignTariffRequest {
  @ApiProperty({ format: 'uuid' })
  tariff_id!: string;
}

export class TimeTariffDto {
  @ApiProperty({ type: 'integer', example: 45 })
  starting_at_minute!: number;
  @decimalOut('Net price per minute from that minute on', '0.12')
  minute_price!: string;
}

export class TariffSnapshotDto {
  @ApiPropertyOptional({ format: 'uuid' })
  tariff_id?: string;
  @ApiPropertyOptional({ type: 'integer', example: 1 })
  version?: number;
  @decimalOut('Net price per kWh', '0.88')
  kwh_price!: string;
  @decimalOut('Net price per session', '0')
  session_price!: string;
  @ApiProperty({ type: [TimeTariffDto] })
  time_tariffs!: TimeTariffDto[];
  @decimalOut('VAT rate, 0..1', '0.19')
  vat!: string;
  @ApiProperty({ example: 'EUR' })
  currency!: string;
  @ApiProperty({ type: 'integer', example: 4320, description: 'Minutes' })
  max_charging_time!: number;
}

export class TariffVersionDto {
  @ApiProperty({ type: 'integer', example: 1 })
  version!: number;
  @ApiProperty(TIMESTAMP)
  effective_from!: string;
  @ApiProperty({ type: TariffSnapshotDto })
  tariff!: TariffSnapshotDto;
  @ApiPropertyOptional({ type: ActorDto, description: 'Absent on versions from before actors were recorded' })
  created_by?: ActorDto;
}

export class TariffDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'Standard AC' })
  name!: string;
  @ApiProperty(TIMESTAMP)
  created_at!: string;
  @ApiProperty({ type: [TariffVersionDto] })
  versions!: TariffVersionDto[];
  @ApiProperty({ type: [AssignmentDto] })
  assignments!: AssignmentDto[];
}

export class TariffResponse {
  @ApiProperty({ type: TariffDto })
  tariff!: TariffDto;
}

export class TariffListResponse {
  @ApiProperty({ type: [TariffDto] })
  tariffs!: TariffDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor!: string | null;
}

export class ResolvedTariffResponse {
  @ApiProperty({ type: TariffSnapshotDto })
  tariff!: TariffSnapshotDto;
  @ApiProperty(TIMESTAMP)
  effective_from!: string;
  @ApiProperty({ type: AssignmentDto, description: 'The most specific assignment that matched' })
  assignment!: AssignmentDto;
}

export class AssignedTariffDto extends AssignmentDto {
  @ApiProperty({ format: 'uuid' })
  tariff_id!: string;
}

export class AssignmentResponse {
  @ApiProperty({ type: AssignedTariffDto })
  assignment!: AssignedTariffDto;
}

export class AssignmentListResponse {
  @ApiProperty({ type: [AssignedTariffDto] })
  assignments!: AssignedTariffDto[];
}

export class FinalAmountDto {
  @decimalOut('Energy fee, 4 places', '13.2000')
  energy!: string;
  @decimalOut('Session fee, 4 places', '0.0000')
  session!: string;
  @decimalOut('Time fee, 4 places', '0.6000')
  time!: string;
  @decimalOut('Net, in minor units of the currency', '13.80')
  net!: string;
  @decimalOut('VAT', '2.62')
  vat!: string;
  @decimalOut('Gross', '16.42')
  gross!: string;
  @ApiProperty({ example: 'EUR' })
  currency!: string;
}

export class PricingInputsDto {
  @ApiProperty({ type: TariffSnapshotDto })
  tariff!: TariffSnapshotDto;
  @ApiProperty({ type: 'integer', description: 'Wh' })
  meter_start!: number;
  @ApiProperty({ type: 'integer', description: 'Wh' })
  meter_stop!: number;
  @ApiProperty(TIMESTAMP)
  started_at!: string;
  @ApiProperty(TIMESTAMP)
  completed_at!: string;
}

export class ChargeDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['CHARGE', 'REVERSAL'] })
  kind!: string;
  @ApiProperty({ format: 'uuid' })
  session_id!: string;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  reverses_charge_id!: string | null;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  replaces_charge_id!: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Why a correction was booked' })
  reason!: string | null;
  @ApiProperty()
  fleet_id!: string;
  @ApiProperty()
  charge_point_id!: string;
  @ApiProperty()
  evse!: string;
  @ApiProperty({ type: 'integer', description: 'Negative on a reversal' })
  energy_wh!: number;
  @ApiProperty({ type: 'integer', description: 'Billed seconds; negative on a reversal' })
  duration_s!: number;
  @ApiProperty({ type: FinalAmountDto })
  final_amount!: FinalAmountDto;
  @ApiProperty({ type: PricingInputsDto, description: 'Exactly what the calculator priced' })
  inputs!: PricingInputsDto;
  @ApiProperty({ type: [String], example: ['INFERRED_STOP'] })
  flags!: string[];
  @ApiProperty({ type: [String], description: 'As the charger signed them (OCMF...)' })
  signed_meter_values!: string[];
  @ApiProperty(TIMESTAMP)
  calculated_at!: string;
  @ApiProperty({ type: ActorDto, nullable: true, description: 'Who booked a correction' })
  actor!: ActorDto | null;
}

export class ChargeListResponse {
  @ApiProperty({ type: [ChargeDto] })
  charges!: ChargeDto[];
}

export class ChargeResponse {
  @ApiProperty({ type: ChargeDto })
  charge!: ChargeDto;
}

/** POST /v1/charges/:id/corrections: a reason, and either the corrected inputs or `cancel`. */
export class CorrectionRequest {
  @ApiProperty({ minLength: 1, maxLength: 1000, example: 'wrong tariff applied' })
  reason!: string;
  @ApiPropertyOptional({ type: 'boolean', description: 'Only reverse (no corrected inputs then)' })
  cancel?: boolean;
  @ApiPropertyOptional({ type: TariffPricesInput })
  tariff?: TariffPricesInput;
  @ApiPropertyOptional({ type: 'integer', description: 'Wh' })
  meter_start?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Wh' })
  meter_stop?: number;
  @ApiPropertyOptional(TIMESTAMP)
  started_at?: string;
  @ApiPropertyOptional(TIMESTAMP)
  completed_at?: string;
}

export class CorrectionResponse {
  @ApiProperty({ type: ChargeDto })
  reversal!: ChargeDto;
  @ApiProperty({ type: ChargeDto, nullable: true, description: 'null when the correction only cancels' })
  charge!: ChargeDto | null;
}

export class AnomalyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({
    enum: ['SESSION_INVALIDATED', 'PRICING_INVALID', 'MISSING_TARIFF', 'INVALID_TARIFF', 'MALFORMED_EVENT'],
  })
  kind!: string;
  @ApiProperty()
  reason!: string;
  @ApiProperty({ type: 'string', nullable: true })
  session_id!: string | null;
  @ApiProperty({ type: 'string', nullable: true })
  fleet_id!: string | null;
  @ApiProperty({ type: 'string', nullable: true })
  charge_point_id!: string | null;
  @ApiProperty({ type: 'string', nullable: true })
  evse!: string | null;
  @ApiProperty({ description: 'The event id, or topic:partition:offset of an unreadable record' })
  source_event_id!: string;
  @ApiProperty(TIMESTAMP)
  detected_at!: string;
}

export class AnomalyListResponse {
  @ApiProperty({ type: [AnomalyDto] })
  anomalies!: AnomalyDto[];
}

export class ExportTotalsDto {
  @ApiProperty({ example: 'EUR' })
  currency!: string;
  @ApiProperty({ type: 'integer' })
  rows!: number;
  @decimalOut('Sum of energy_wh', '15000')
  energy_wh!: string;
  @decimalOut('Sum of net', '13.80')
  net!: string;
  @decimalOut('Sum of VAT', '2.62')
  vat!: string;
  @decimalOut('Sum of gross', '16.42')
  gross!: string;
}

export class ExportTotalsResponse {
  @ApiProperty(TIMESTAMP)
  from!: string;
  @ApiProperty(TIMESTAMP)
  to!: string;
  @ApiProperty({ type: [ExportTotalsDto] })
  totals!: ExportTotalsDto[];
}
