/**
 * Money travels as decimal strings ("13.2000", "16.42"): never a JSON number, never a float.
 * Inputs from users may be JSON numbers (the pump API shows `0.88`); they are converted with
 * `new Decimal(String(x))` at the edge and leave as strings.
 */
export type DecimalString = string;

/** A time tier: from `starting_at_minute` on, every minute costs `minute_price` (net). */
export interface TimeTariff {
  starting_at_minute: number;
  minute_price: DecimalString;
}

/** The tariff as snapshotted onto a session when it starts (pump's `tariff` object). Prices are net. */
export interface TariffSnapshot {
  /** Which tariff and version this snapshot came from (absent for ad-hoc quotes). */
  tariff_id?: string;
  version?: number;
  kwh_price: DecimalString;
  session_price: DecimalString;
  time_tariffs: TimeTariff[];
  /** VAT rate, 0..1, e.g. "0.19". */
  vat: DecimalString;
  /** ISO 4217 code. */
  currency: string;
  /** Minutes; charging time beyond it is not billed and the session is stopped remotely. */
  max_charging_time: number;
}

/** The priced result of a session (pump's `final_amount`, plus net/vat/gross/currency). */
export interface FinalAmount {
  energy: DecimalString;
  session: DecimalString;
  time: DecimalString;
  net: DecimalString;
  vat: DecimalString;
  gross: DecimalString;
  currency: string;
}
